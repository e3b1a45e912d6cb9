package fuse3d.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The shared worker pool of the CPU kernels and a contiguous-chunk parallel for loop on it.
 *
 * <p>The pool has {@link #threads()} workers: the number of cores, or {@code -Dfuse3d.threads=N}. Kernels
 * split their output into disjoint contiguous ranges and never accumulate across chunks, so a kernel whose
 * chunk boundaries do not change its arithmetic gives the same bits for every thread count.
 */
public final class Parallel {

    /** The body of a parallel loop: processes the half-open index range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private static final int THREADS = configuredThreads();

    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("fuse3d-cpu-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    private Parallel() {}

    private static int configuredThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        String prop = System.getProperty("fuse3d.threads");
        if (prop == null || prop.isBlank()) {
            return Math.max(1, cores);
        }
        try {
            int n = Integer.parseInt(prop.trim());
            if (n < 1) {
                throw new IllegalArgumentException("-Dfuse3d.threads must be >= 1, got " + prop);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dfuse3d.threads must be an integer, got " + prop, e);
        }
    }

    /** Below this much work (elements touched) a loop runs on the calling thread: forking would cost more. */
    public static final long MIN_PARALLEL_WORK = 1L << 16;

    /**
     * {@link #forRange(int, int, int, RangeBody)} over [0, count) on all threads when {@code work} is at
     * least {@link #MIN_PARALLEL_WORK}, else on the calling thread; the kernels' "parallel when worth it".
     */
    public static void forWork(int count, long work, RangeBody body) {
        forRange(0, count, work < MIN_PARALLEL_WORK ? 1 : THREADS, body);
    }

    /**
     * Checks a {d, h, w} parameter of a 3-d kernel: exactly three entries, each at least {@code min}.
     * Every volume kernel (convolution, pooling, their gradients) validates its triples here.
     */
    public static void requireTriple(String name, int[] v, int min) {
        if (v == null || v.length != 3) {
            throw new IllegalArgumentException(name + " must be a {d, h, w} triple");
        }
        for (int e : v) {
            if (e < min) {
                throw new IllegalArgumentException(name + " entries must be >= " + min + ", got " + java.util.Arrays.toString(v));
            }
        }
    }

    /** The default thread count of the kernels: the core count, or {@code -Dfuse3d.threads}. */
    public static int threads() {
        return THREADS;
    }

    /** The shared pool (daemon workers), for callers that need to submit their own tasks. */
    public static ForkJoinPool pool() {
        return POOL;
    }

    /**
     * Runs {@code body} over {@code [from, to)} split into at most {@code threads} contiguous chunks of
     * near-equal size (the first {@code (to-from) % chunks} chunks get one index more), and returns when
     * all chunks are done. With one chunk the body runs on the calling thread. An exception thrown by any
     * chunk is rethrown here after all chunks have finished.
     */
    public static void forRange(int from, int to, int threads, RangeBody body) {
        int len = to - from;
        if (len <= 0) {
            return;
        }
        int chunks = Math.min(Math.max(1, threads), len);
        if (chunks == 1) {
            body.run(from, to);
            return;
        }
        Chunk[] tasks = new Chunk[chunks];
        int base = len / chunks;
        int extra = len % chunks;
        int lo = from;
        for (int i = 0; i < chunks; i++) {
            int hi = lo + base + (i < extra ? 1 : 0);
            tasks[i] = new Chunk(body, lo, hi);
            lo = hi;
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == POOL) {
            // Nested call from one of our workers: forking onto its own queue lets idle workers steal and
            // lets this worker help instead of blocking (no deadlock when the pool is saturated).
            ForkJoinTask.invokeAll(tasks);
        } else {
            // External caller: it runs the first chunk itself, so a 2-thread loop on a 2-core box keeps
            // both cores busy without an idle waiting thread.
            for (int i = 1; i < chunks; i++) {
                POOL.execute(tasks[i]);
            }
            tasks[0].invoke();
            for (int i = 1; i < chunks; i++) {
                tasks[i].join();
            }
        }
        // Chunks record their own failure instead of throwing, so the caller sees the original exception
        // (fork-join would otherwise rewrap it) and only after every chunk has stopped touching the output.
        Throwable failure = null;
        for (Chunk task : tasks) {
            if (task.failure != null) {
                if (failure == null) {
                    failure = task.failure;
                } else {
                    failure.addSuppressed(task.failure);
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * Splits {@code [from, to)} into {@code chunks} contiguous near-equal pieces (as {@link #forRange}
     * does) and lets up to {@code threads} workers take them in order from a shared counter. The pieces
     * are the same for every thread count, only who runs them changes, so a body whose output depends
     * only on its piece gives identical results for any {@code threads}. Taking pieces dynamically keeps
     * both cores busy when another process steals time from one of them (a static split would wait for
     * the slowed thread).
     */
    public static void forChunks(int from, int to, int chunks, int threads, RangeBody body) {
        int len = to - from;
        if (len <= 0) {
            return;
        }
        int n = Math.min(Math.max(1, chunks), len);
        int base = len / n;
        int extra = len % n;
        int workers = Math.min(Math.max(1, threads), n);
        if (workers == 1) {
            for (int c = 0; c < n; c++) {
                body.run(from + c * base + Math.min(c, extra), from + (c + 1) * base + Math.min(c + 1, extra));
            }
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        forRange(0, workers, workers, (w0, w1) -> {
            for (int w = w0; w < w1; w++) {
                int c;
                while (!failed.get() && (c = next.getAndIncrement()) < n) {
                    try {
                        body.run(from + c * base + Math.min(c, extra), from + (c + 1) * base + Math.min(c + 1, extra));
                    } catch (RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                }
            }
        });
    }

    /** Same as {@link #forRange(int, int, int, RangeBody)} with {@link #threads()} chunks at most. */
    public static void forRange(int from, int to, RangeBody body) {
        forRange(from, to, THREADS, body);
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int lo;
        private final int hi;

        Chunk(RangeBody body, int lo, int hi) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
        }

        Throwable failure;

        @Override
        protected void compute() {
            try {
                body.run(lo, hi);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }
}
