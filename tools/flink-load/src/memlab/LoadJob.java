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
 * (default 2: one task per TaskManager of the local 2-TaskManager cluster).
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
        numbers.keyBy(n -> n % keys)
                .process(new Count(grow))
                .sinkTo(new DiscardingSink<>());
        String name = grow ? "memlab load (growing state)" : "memlab load";
        env.execute(p.has("backend") ? name + " on " + p.get("backend") : name);
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
