package fuse3d.autograd;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent in each op's derivative during backward, for finding the slow rule in a model. On with
 * {@code -Dfuse3d.autograd.profile=true}: the table (op, calls, total ms) prints to stderr when the JVM exits.
 */
final class BackwardProfile {
    static final boolean ON = Boolean.getBoolean("fuse3d.autograd.profile");
    private static final Map<String, LongAdder[]> TABLE = new ConcurrentHashMap<>();

    static {
        if (ON) Runtime.getRuntime().addShutdownHook(new Thread(BackwardProfile::print));
    }

    private BackwardProfile() {}

    static void add(String op, long nanos) {
        LongAdder[] a = TABLE.computeIfAbsent(op, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].increment();
        a[1].add(nanos);
    }

    private static void print() {
        Map<Long, String> byTime = new TreeMap<>((x, y) -> Long.compare(y, x));
        TABLE.forEach((op, a) -> byTime.put(a[1].sum() * 1000 + byTime.size(), String.format("%-24s %8d calls %10.1f ms", op, a[0].sum(), a[1].sum() / 1e6)));
        System.err.println("backward time by op (fuse3d.autograd.profile):");
        byTime.values().forEach(System.err::println);
    }
}
