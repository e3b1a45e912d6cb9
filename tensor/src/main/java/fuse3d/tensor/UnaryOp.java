package fuse3d.tensor;

/**
 * Elementwise functions of one tensor, each with its float64 definition (the reference every kernel
 * matches) and, for the few that are closed over integers, its int64 definition.
 */
public enum UnaryOp {
    NEG(true), ABS(true), SIGN(true), SQUARE(true),
    EXP(false), LOG(false), LOG1P(false), EXPM1(false), SQRT(false), RSQRT(false), RECIPROCAL(false),
    SIGMOID(false), TANH(false), RELU(true), LEAKY_RELU(false), GELU(false), GELU_TANH(false), SILU(false),
    SIN(false), COS(false), FLOOR(true), CEIL(true), ROUND(true), TRUNC(true),
    /** clamp(x, p0, p1); NaN bounds mean "no bound". */
    CLAMP(true),
    /** x^p0 for a scalar exponent. */
    POW_SCALAR(false),
    LOGICAL_NOT(true), ISNAN(true), ISFINITE(true);

    private final boolean integerClosed;

    UnaryOp(boolean integerClosed) { this.integerClosed = integerClosed; }

    /** True when integer inputs give an integer result of the same dtype (otherwise they are promoted to float32). */
    public boolean integerClosed() { return integerClosed; }

    /** True for ops whose result is bool whatever the input. */
    public boolean boolResult() { return this == LOGICAL_NOT || this == ISNAN || this == ISFINITE; }

    public String torchName() { return name().toLowerCase(java.util.Locale.ROOT); }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);

    /** The float64 definition. p0, p1 are the op's scalar parameters (slope, bounds, exponent). */
    public double apply(double x, double p0, double p1) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> (x > 0 ? 1.0 : 0.0) - (x < 0 ? 1.0 : 0.0); // torch's (0 < x) - (x < 0): sign(NaN) = sign(-0.0) = 0.0
            case SQUARE -> x * x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case RECIPROCAL -> 1.0 / x;
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case TANH -> Math.tanh(x);
            case RELU -> x < 0 ? 0.0 : x; // NaN and -0.0 pass through, as torch.relu
            case LEAKY_RELU -> x > 0 ? x : x * p0;
            case GELU -> 0.5 * x * (1.0 + Erf.erf(x * INV_SQRT_2));
            case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case SILU -> x >= 0 ? x / (1.0 + Math.exp(-x)) : x * Math.exp(x) / (1.0 + Math.exp(x));
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x); // half to even, as torch.round
            case TRUNC -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case CLAMP -> clamp(x, p0, p1);
            case POW_SCALAR -> Math.pow(x, p0);
            case LOGICAL_NOT -> x == 0.0 ? 1.0 : 0.0;
            case ISNAN -> Double.isNaN(x) ? 1.0 : 0.0;
            case ISFINITE -> Double.isFinite(x) ? 1.0 : 0.0;
        };
    }

    /** The int64 definition, for {@link #integerClosed()} ops. */
    public long applyLong(long x, double p0, double p1) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
            case RELU -> Math.max(x, 0);
            case FLOOR, CEIL, ROUND, TRUNC -> x;
            case CLAMP -> {
                long v = x;
                if (!Double.isNaN(p0)) v = Math.max(v, (long) Math.ceil(p0));
                if (!Double.isNaN(p1)) v = Math.min(v, (long) Math.floor(p1));
                yield v;
            }
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            case ISNAN -> 0;
            case ISFINITE -> 1;
            default -> throw new IllegalStateException(this + " is not defined on integers");
        };
    }

    static double clamp(double x, double lo, double hi) {
        if (Double.isNaN(x)) return x;
        double v = x;
        if (!Double.isNaN(lo) && v < lo) v = lo;
        if (!Double.isNaN(hi) && v > hi) v = hi;
        return v;
    }
}
