// The Flink memory calculator in a real browser: exact bytes as Flink 2.3.0 derives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, openPage, screenshot } from './support.mjs';

const app = appUnderTest();

const bytes = (page, id) => page.getByTestId(`mm-${id}`).getAttribute('data-bytes').then(Number);

test('typing a process size shows the diagram and Flink’s exact numbers', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=calculator`);
  const input = page.getByTestId('opt-taskmanager.memory.process.size');
  await input.fill('4g');
  await page.waitForFunction(() => document.querySelector('[data-testid="mm-totalProcessMemory"]')?.dataset.bytes === '4294967296');
  // Flink 2.3.0 (BashJavaUtils, golden corpus case tm-028) for taskmanager.memory.process.size: 4g:
  assert.equal(await bytes(page, 'taskHeap'), 1_530_082_070);
  assert.equal(await bytes(page, 'managedMemory'), 1_438_814_063);
  assert.equal(await bytes(page, 'networkMemory'), 359_703_515);
  assert.equal(await bytes(page, 'jvmOverhead'), 429_496_736);
  assert.equal(await bytes(page, 'totalFlinkMemory'), 3_597_035_104);
  assert.equal(
    await page.getByTestId('jvm-args').textContent(),
    '-Xmx1664299798 -Xms1664299798 -XX:MaxDirectMemorySize=493921243 -XX:MaxMetaspaceSize=268435456',
  );
  assert.equal(await page.getByTestId('mm-taskHeap').getAttribute('data-source'), 'derived');
  assert.ok(await page.getByTestId('memory-diagram').isVisible());
  // The configuration is in the address bar, so the link reproduces it.
  assert.equal(new URL(page.url()).searchParams.get('taskmanager.memory.process.size'), '4g');
  await screenshot(page, 'calculator-4g');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an invalid size shows Flink’s own message and highlights the field', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=calculator`);
  const input = page.getByTestId('opt-taskmanager.memory.process.size');
  await input.fill('1.5g');
  const msg = page.getByTestId('flink-error-message');
  await msg.waitFor();
  assert.equal(
    await msg.textContent(),
    "TaskManager memory configuration failed: Cannot read memory size from config option 'taskmanager.memory.process.size'.",
  );
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  await input.fill('100m');
  await page.waitForFunction(() => document.querySelector('[data-testid="flink-error-message"]')?.textContent.includes('exceed configured Total Process Memory (100.000mb (104857600 bytes))'));
  await screenshot(page, 'calculator-error');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a shared link with a JobManager config opens it; pasted YAML recomputes', async () => {
  const url = `${app.base}?view=calculator&p=jm&jobmanager.memory.process.size=1600m`;
  const { page, errors, context } = await openPage(app.browser, url);
  await page.waitForSelector('[data-testid="mm-jvmHeap"]');
  // Flink 2.3.0: -Xmx1073741824 for jobmanager.memory.process.size: 1600m.
  assert.equal(await bytes(page, 'jvmHeap'), 1_073_741_824);
  await page.getByTestId('tab-tm').click();
  await page.locator('details.paste summary').click();
  await page.getByTestId('config-yaml').fill('taskmanager:\n  memory:\n    flink.size: 1280m\n    off-heap.enabled: true\n');
  await page.waitForFunction(() => document.querySelector('[data-testid="mm-totalFlinkMemory"]')?.dataset.bytes === '1342177280');
  assert.match(await page.getByTestId('config-warning').textContent(), /does not exist in any Flink version/);
  assert.match(await page.getByTestId('export-yaml').textContent(), /taskmanager\.memory\.flink\.size: 1280m/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Flink 1.20 profile honours the legacy heap option', async () => {
  const url = `${app.base}?view=calculator&p=tm&flink=1.20&taskmanager.heap.size=1024m`;
  const { page, errors, context } = await openPage(app.browser, url);
  assert.equal(await page.getByTestId('flink-version').inputValue(), '1.20');
  await page.waitForSelector('[data-testid="mm-totalFlinkMemory"]');
  assert.equal(await bytes(page, 'totalFlinkMemory'), 1_073_741_824);
  // The same link in Flink 2.x: the option was removed, so nothing sizes the TaskManager.
  await page.getByTestId('flink-version').selectOption('2.3');
  await page.getByTestId('flink-error-message').waitFor();
  assert.match(await page.getByTestId('flink-error-message').textContent(), /Either required fine-grained memory/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Flink’s whole chain of causes is shown, the innermost with the numbers', async () => {
  const opts = 'taskmanager.memory.process.size=26823680k&taskmanager.memory.task.heap.size=4709mb&taskmanager.memory.network.min=56m&taskmanager.memory.network.max=3248m';
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=calculator&${opts}`);
  await page.getByTestId('flink-error-causes').waitFor();
  assert.match(await page.getByTestId('flink-error-message').textContent(), /^TaskManager memory configuration failed: If Total Flink, Task Heap and \(or\) Managed Memory sizes/);
  const causes = await page.getByTestId('flink-error-cause').allTextContents();
  assert.equal(causes.length, 2);
  assert.match(causes[0], /^Caused by: org\.apache\.flink\.configuration\.IllegalConfigurationException: If Total Flink/);
  assert.equal(causes[1], 'Caused by: org.apache.flink.configuration.IllegalConfigurationException: Derived Network Memory size (9.750gb (10468982629 bytes)) is not in configured Network Memory range [56.000mb (58720256 bytes), 3.172gb (3405774848 bytes)].');
  await screenshot(page, 'calculator-causes');
  // A size Flink cannot read: three causes down to the parser's own words.
  await page.getByTestId('opt-taskmanager.memory.process.size').fill('4096MiB');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="flink-error-cause"]').length === 3);
  assert.match((await page.getByTestId('flink-error-cause').allTextContents())[2], /^Caused by: java\.lang\.IllegalArgumentException: Memory size unit 'mib' does not match/);
  assert.deepEqual(errors, []);
  await context.close();
});
