package fuse3d.tensor;

/**
 * The one source of randomness: a seeded xoshiro256** stream. The same seed gives the same numbers on
 * every run, JVM and thread count, because tensors are always filled sequentially in row-major order.
 */
public final class Generator {
    private long s0, s1, s2, s3;
    private final long seed;
    private double spareNormal = Double.NaN;

    public Generator(long seed) {
        this.seed = seed;
        long x = seed;
        // SplitMix64 spreads the seed over the 256-bit state, so nearby seeds give unrelated streams
        long[] st = new long[4];
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            st[i] = z ^ (z >>> 31);
        }
        s0 = st[0];
        s1 = st[1];
        s2 = st[2];
        s3 = st[3];
    }

    public long seed() { return seed; }

    /**
     * The stream's position: the 256-bit state and the pending second normal (as raw bits), so that a
     * training checkpoint can resume the exact sequence with {@link #setState}.
     */
    public long[] state() { return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareNormal)}; }

    /** Restores a position saved by {@link #state()} (the seed stays what it was). */
    public void setState(long[] state) {
        if (state.length != 5) throw new IllegalArgumentException("Generator.setState: expects 5 longs from state(), got " + state.length);
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new IllegalArgumentException("Generator.setState: an all-zero xoshiro state is invalid");
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        spareNormal = Double.longBitsToDouble(state[4]);
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform integer in [0, bound) without modulo bias. */
    public long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long mask = bound - 1;
        if ((bound & mask) == 0) return nextLong() & mask;
        long u = nextLong() >>> 1;
        for (long r; u - (r = u % bound) + mask < 0; u = nextLong() >>> 1) { /* reject the biased tail */ }
        return u % bound;
    }

    /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
    public double nextGaussian() {
        if (!Double.isNaN(spareNormal)) {
            double v = spareNormal;
            spareNormal = Double.NaN;
            return v;
        }
        double u1;
        do { u1 = nextDouble(); } while (u1 == 0.0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** float32 tensor uniform in [low, high). */
    public Tensor uniform(double low, double high, int... shape) { return uniform(DType.FLOAT32, low, high, shape); }

    public Tensor uniform(DType dtype, double low, double high, int... shape) {
        requireFloating("uniform", dtype);
        if (!(low <= high)) throw new IllegalArgumentException("uniform: low " + low + " must be <= high " + high);
        Tensor t = Tensor.zeros(dtype, shape);
        Storage s = t.storage();
        for (int i = 0; i < s.length(); i++) {
            double v = low + (high - low) * nextDouble();
            if (dtype == DType.FLOAT32 && (float) v >= high && high > low) v = Math.nextDown((float) high);
            s.setDouble(i, v);
        }
        return t;
    }

    /** float32 tensor of normal samples. */
    public Tensor normal(double mean, double std, int... shape) { return normal(DType.FLOAT32, mean, std, shape); }

    public Tensor normal(DType dtype, double mean, double std, int... shape) {
        requireFloating("normal", dtype);
        if (!(std >= 0)) throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        Tensor t = Tensor.zeros(dtype, shape);
        Storage s = t.storage();
        for (int i = 0; i < s.length(); i++) s.setDouble(i, mean + std * nextGaussian());
        return t;
    }

    /** int64 tensor uniform in [low, high). */
    public Tensor randint(long low, long high, int... shape) {
        if (high <= low) throw new IllegalArgumentException("randint: low " + low + " must be < high " + high);
        Tensor t = Tensor.zeros(DType.INT64, shape);
        long[] a = t.storage().longs();
        for (int i = 0; i < a.length; i++) a[i] = low + nextLong(high - low);
        return t;
    }

    /** A random permutation of 0..n-1 as int64 (Fisher-Yates). */
    public Tensor randperm(int n) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be >= 0, got " + n);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) nextLong(i + 1);
            long tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return Tensor.ofLongs(a, n);
    }

    /** 1 with probability p[i], else 0, in p's (floating) dtype. */
    public Tensor bernoulli(Tensor p) {
        requireFloating("bernoulli", p.dtype());
        Tensor pc = p.contiguous();
        Tensor t = Tensor.zeros(p.dtype(), p.shape());
        Storage s = t.storage(), ps = pc.storage();
        for (int i = 0; i < s.length(); i++) {
            double pi = ps.getDouble(pc.offset() + i);
            if (!(pi >= 0 && pi <= 1))
                throw new IllegalArgumentException("bernoulli: probability " + pi + " at flat index " + i + " is outside [0, 1]");
            s.setDouble(i, nextDouble() < pi ? 1 : 0);
        }
        return t;
    }

    /** float32 tensor of 0/1 draws with one probability. */
    public Tensor bernoulli(double p, int... shape) { return bernoulli(Tensor.full(p, DType.FLOAT32, shape)); }

    private static void requireFloating(String op, DType dtype) {
        if (!dtype.isFloating()) throw new IllegalArgumentException(op + ": dtype must be float32 or float64, got " + dtype.torchName());
    }
}
