package fuse3d.models.train;

import fuse3d.tensor.Generator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A multithreaded batch loader, torch's DataLoader with workers: the epoch's sample order is a permutation drawn
 * from {@code (seed, epoch)} (or the identity without shuffle), worker threads prepare batches ahead of the
 * consumer into a bounded window, and batches come out in order, so the stream is the same for any thread count
 * and any thread timing. A failure while preparing a sample surfaces in the consumer as a
 * {@link DataLoaderException} naming the frame. {@link #close()} stops the worker threads.
 *
 * @param <S> what the source yields per index
 * @param <B> what a batch collates into
 */
public final class DataLoader<S, B> implements AutoCloseable {

    /** Indexed samples whose content is a function of (index, epoch) alone. */
    public interface Source<S> {
        int size();

        /** The sample at {@code index} for {@code epoch}; may be called from any thread. */
        S get(int index, int epoch);

        /** A name for messages (the frame id). */
        String frameId(int index);
    }

    /** A sample that could not be prepared. */
    public static final class DataLoaderException extends RuntimeException {
        private final String frameId;

        DataLoaderException(String frameId, int index, int epoch, Throwable cause) {
            super("DataLoader: frame " + frameId + " (index " + index + ", epoch " + epoch + "): " + cause, cause);
            this.frameId = frameId;
        }

        public String frameId() { return frameId; }
    }

    private final Source<S> source;
    private final Function<List<S>, B> collate;
    private final int batchSize, workers, prefetch;
    private final boolean shuffle, dropLast;
    private final long seed;
    private final ExecutorService pool;
    /** The pool's threads, joined by {@link #close()}: the pool terminates a moment before its threads end. */
    private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final AtomicInteger POOLS = new AtomicInteger();

    /**
     * @param workers  worker threads (0: batches are made on the consumer's thread)
     * @param prefetch batches prepared ahead of the consumer (at least 1)
     */
    public DataLoader(Source<S> source, Function<List<S>, B> collate, int batchSize, boolean shuffle, boolean dropLast, long seed,
                      int workers, int prefetch) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + batchSize);
        if (workers < 0) throw new IllegalArgumentException("DataLoader: workers must be >= 0, got " + workers);
        if (prefetch < 1) throw new IllegalArgumentException("DataLoader: prefetch must be >= 1, got " + prefetch);
        if (source.size() == 0) throw new IllegalArgumentException("DataLoader: the source has no samples");
        this.source = source;
        this.collate = collate;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
        this.workers = workers;
        this.prefetch = prefetch;
        if (workers > 0) {
            int id = POOLS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "fuse3d-loader-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                threads.add(t);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(workers, tf);
        } else {
            this.pool = null;
        }
    }

    /**
     * A loader over a detection dataset as OpenPCDet's build_dataloader makes it: shuffled in training, in split
     * order otherwise, the last partial batch kept (drop_last = False), {@code 2 * workers} batches of prefetch.
     */
    public static DataLoader<KittiDetectionDataset.Sample, fuse3d.models.detect.Batch> of(KittiDetectionDataset ds, int batchSize,
                                                                                          long seed, int workers) {
        return new DataLoader<>(ds, KittiDetectionDataset::collate, batchSize, ds.training(), false, seed, workers, Math.max(2, 2 * workers));
    }

    public Source<S> source() { return source; }

    public int batchSize() { return batchSize; }

    public long seed() { return seed; }

    /** Batches per epoch. */
    public int batchesPerEpoch() {
        int n = source.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The epoch's sample order: a permutation drawn from (seed, epoch), or 0..n-1 without shuffle. */
    public int[] order(int epoch) {
        int n = source.size();
        if (!shuffle) {
            int[] o = new int[n];
            for (int i = 0; i < n; i++) o[i] = i;
            return o;
        }
        return new Generator(KittiDetectionDataset.mix(seed ^ 0x5DEECE66DL, epoch)).randperm(n).toIntArray();
    }

    /** The batches of {@code epoch}, in order; close it to stop early. */
    public Epoch epoch(int epoch) { return new Epoch(epoch, 0); }

    /** The batches of {@code epoch} from batch {@code first} on (to resume inside an epoch). */
    public Epoch epoch(int epoch, int first) { return new Epoch(epoch, first); }

    /** One pass over the data: an iterator that owns its in-flight batches. */
    public final class Epoch implements Iterator<B>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int end;
        private int next, submitted;
        private final ArrayDeque<Future<B>> inFlight = new ArrayDeque<>();

        Epoch(int epoch, int first) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.end = batchesPerEpoch();
            if (first < 0 || first > end) throw new IllegalArgumentException("DataLoader: first batch " + first + " not in [0, " + end + "]");
            this.next = first;
            this.submitted = first;
            fill();
        }

        private void fill() {
            if (pool == null) return;
            while (submitted < end && inFlight.size() < prefetch) {
                int k = submitted++;
                inFlight.add(pool.submit(() -> make(k)));
            }
        }

        private B make(int k) {
            int from = k * batchSize, to = Math.min(order.length, from + batchSize);
            List<S> samples = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                int idx = order[i];
                try {
                    samples.add(source.get(idx, epoch));
                } catch (RuntimeException | Error e) {
                    throw new DataLoaderException(source.frameId(idx), idx, epoch, e);
                }
            }
            return collate.apply(samples);
        }

        /** The epoch's sample indices of batch {@code k}. */
        public int[] indices(int k) {
            int from = k * batchSize, to = Math.min(order.length, from + batchSize);
            return java.util.Arrays.copyOfRange(order, from, to);
        }

        /** The index of the batch {@link #next()} returns next. */
        public int position() { return next; }

        @Override
        public boolean hasNext() { return next < end; }

        @Override
        public B next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch " + epoch + " has " + end + " batches");
            int k = next++;
            if (pool == null) return make(k);
            Future<B> f = inFlight.poll();
            try {
                B b = f.get();
                fill();
                return b;
            } catch (ExecutionException e) {
                close();
                if (e.getCause() instanceof RuntimeException re) throw re;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException("DataLoader: batch " + k + " of epoch " + epoch + " failed", e.getCause());
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new CancellationException("DataLoader: interrupted while waiting for batch " + k);
            }
        }

        /** Cancels the batches still being prepared. */
        @Override
        public void close() {
            for (Future<B> f : inFlight) f.cancel(true);
            inFlight.clear();
            next = end;
        }
    }

    /**
     * Stops the worker threads and waits for them to end. The pool reports termination when its last worker leaves
     * its task loop, while that thread may still be finishing; joining the threads themselves makes "ended" exact.
     */
    @Override
    public void close() {
        if (pool == null) return;
        pool.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS))
                throw new IllegalStateException("DataLoader: worker threads did not stop within 30 s");
            for (Thread t : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) t.join(left);
                if (t.isAlive()) throw new IllegalStateException("DataLoader: worker thread " + t.getName() + " did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
