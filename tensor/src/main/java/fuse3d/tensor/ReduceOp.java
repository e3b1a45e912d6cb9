package fuse3d.tensor;

/** Reductions over a set of dims that a backend implements as kernels; mean, var, norm etc. compose them. */
public enum ReduceOp {
    SUM, PROD, AMAX, AMIN, ANY, ALL,
    /** log(sum(exp(x))) computed stably (max subtracted). */
    LOGSUMEXP,
    /** Sum of squared deviations from the mean (var/std compose it with the correction). */
    SUM_SQUARED_DEVIATION,
    /** Vector p-norm with the exponent passed beside the op (inf and -inf included). */
    NORM;

    public String torchName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
