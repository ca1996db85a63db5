package memlab;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * memlab's load job for a local cluster: a steady stream of numbers, keyed, with keyed
 * state, into a discarding sink. It moves heap, GC and network-segment metrics.
 *
 * <p>Arguments: --keys N (distinct keys, default 100000), --rate R (records/s, default
 * 20000), --grow true (keep every value seen per key: keyed state that grows without bound,
 * a real leak pattern), --backend rocksdb|hashmap (the job's state backend, default the
 * cluster's: RocksDB uses managed memory, the heap backend does not), --parallelism P
 * (default 2: one task per TaskManager of the local 2-TaskManager cluster), --stages S (keyed
 * shuffles in a row, default 1: each needs network buffers per channel).
 *
 * <p>Failure modes, for the post-mortem recordings (tools/record-diagnosis.sh):
 * --direct-mb-per-s M keeps M MiB/s of direct buffers (ByteBuffer.allocateDirect) until
 * "OutOfMemoryError: Direct buffer memory"; --classes-per-s C defines C classes/s, each in a
 * fresh class loader that is kept, until "OutOfMemoryError: Metaspace"; --huge-array-mb M
 * asks for one M MiB array 60 s in (a record far bigger than the heap): "OutOfMemoryError:
 * Java heap space" in the task thread, while the rest of the heap is fine.
 */
public class LoadJob {
    public static void main(String[] args) throws Exception {
        ParameterTool p = ParameterTool.fromArgs(args);
        long keys = p.getLong("keys", 100_000);
        long rate = p.getLong("rate", 20_000);
        boolean grow = p.getBoolean("grow", false);
        Configuration conf = new Configuration();
        if (p.has("backend")) {
            conf.setString("state.backend.type", p.get("backend"));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(p.getInt("parallelism", 2));
        DataGeneratorSource<Long> source = new DataGeneratorSource<>(
                i -> i, Long.MAX_VALUE,
                org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy.perSecond(rate),
                Types.LONG);
        DataStream<Long> numbers = env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbers");
        double directMb = p.getDouble("direct-mb-per-s", 0);
        double classes = p.getDouble("classes-per-s", 0);
        double hugeMb = p.getDouble("huge-array-mb", 0);
        if (directMb > 0 || classes > 0 || hugeMb > 0) {
            numbers = numbers.map(new Leak(directMb, classes, hugeMb)).name("leak");
        }
        DataStream<Long> out = numbers;
        for (int i = 0; i < p.getInt("stages", 1); i++) {
            out = out.keyBy(n -> n % keys).process(new Count(grow && i == 0));
        }
        out.sinkTo(new DiscardingSink<>());
        String name = grow ? "memlab load (growing state)" : "memlab load";
        env.execute(p.has("backend") ? name + " on " + p.get("backend") : name);
    }

    /**
     * Keeps what it allocates, at a steady rate: direct buffers, or classes each defined in
     * a class loader of its own (a copy of this class's bytes), so the JVM cannot free them.
     */
    static class Leak extends org.apache.flink.api.common.functions.RichMapFunction<Long, Long> {
        private static final java.util.List<Object> KEPT = new java.util.ArrayList<>();
        private final double directMbPerS;
        private final double classesPerS;
        private final double hugeMb;
        private transient long started;
        private transient long done;
        private transient byte[] classBytes;

        Leak(double directMbPerS, double classesPerS, double hugeMb) {
            this.directMbPerS = directMbPerS;
            this.classesPerS = classesPerS;
            this.hugeMb = hugeMb;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) throws Exception {
            started = System.nanoTime();
            done = 0;
            try (java.io.InputStream in = Leak.class.getResourceAsStream("LoadJob$Filler.class")) {
                classBytes = in.readAllBytes();
            }
        }

        @Override
        public Long map(Long n) throws Exception {
            double s = (System.nanoTime() - started) / 1e9;
            if (hugeMb > 0) {
                if (s >= 60) {
                    KEPT.add(new byte[(int) (hugeMb * (1 << 20))]);
                }
            } else if (directMbPerS > 0) {
                for (; done < (long) (s * directMbPerS); done++) {
                    KEPT.add(java.nio.ByteBuffer.allocateDirect(1 << 20));
                }
            } else {
                for (; done < (long) (s * classesPerS); done++) {
                    KEPT.add(new Own().define(classBytes));
                }
            }
            return n;
        }
    }

    /** A class loader of its own for each copy of {@link Filler}. */
    static class Own extends ClassLoader {
        Own() {
            super(null);
        }

        Class<?> define(byte[] b) {
            return defineClass("memlab.LoadJob$Filler", b, 0, b.length);
        }
    }

    /** Defined again and again by {@link Leak}: it needs nothing but java.lang. */
    public static class Filler {
        public String a(int x) { return "a" + x; }
        public String b(int x) { return "b" + x * 2; }
        public String c(int x) { return "c" + (x ^ 7); }
        public long d(long x) { return x * 31 + 17; }
    }

    /** Counts per key; with `grow`, also keeps every value seen (unbounded heap state). */
    static class Count extends KeyedProcessFunction<Long, Long, Long> {
        private final boolean grow;
        private transient ValueState<Long> count;
        private transient ListState<Long> seen;

        Count(boolean grow) {
            this.grow = grow;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            seen = getRuntimeContext().getListState(new ListStateDescriptor<>("seen", Types.LONG));
        }

        @Override
        public void processElement(Long n, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            if (grow) {
                seen.add(n);
            }
            out.collect(n);
        }
    }
}
