package fuse3d.autograd;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks derivatives against finite differences, as {@code torch.autograd.gradcheck}: for a function of Vars
 * and float64 inputs, each analytic vector-Jacobian product (backward with a random cotangent for every floating
 * output) must match the central difference {@code (<v, f(x + eps e_j)> - <v, f(x - eps e_j)>) / 2 eps} for every
 * element j of every floating input, within {@code |analytic - numeric| <= atol + rtol |numeric|}.
 *
 * <p>Floating inputs become leaves that require a gradient; integer and bool inputs (indices, masks) are passed
 * as constants. To hold a floating input constant, close over it in the function instead. The function must be
 * deterministic, leave its inputs unchanged, and be differentiable at the given point: samples sitting on a kink
 * (ties of max, |x| at 0) are the caller's to avoid.
 *
 * <pre>{@code
 * Gradcheck.Report r = Gradcheck.check("softmax", in -> List.of(in.get(0).softmax(-1)), List.of(x64));
 * assertTrue(r.passed(), r::toString);
 * }</pre>
 */
public final class Gradcheck {
    private Gradcheck() {}

    /**
     * How finely to differentiate and how closely to compare.
     *
     * @param eps        finite-difference step
     * @param atol       absolute tolerance
     * @param rtol       tolerance relative to the numeric derivative
     * @param cotangents how many random cotangents to try (each a fresh standard normal per output)
     * @param seed       seed of the cotangents
     */
    public record Options(double eps, double atol, double rtol, int cotangents, long seed) {
        /** torch.autograd.gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3), with two cotangents. */
        public static final Options DEFAULT = new Options(1e-6, 1e-5, 1e-3, 2, 0x6AD_C4ECL);

        public Options {
            if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0) || cotangents < 1)
                throw new IllegalArgumentException("gradcheck: eps must be > 0, atol and rtol >= 0, cotangents >= 1; got eps=" + eps
                        + " atol=" + atol + " rtol=" + rtol + " cotangents=" + cotangents);
        }

        public Options withSeed(long s) { return new Options(eps, atol, rtol, cotangents, s); }
    }

    /**
     * One element whose derivatives disagree.
     *
     * @param input     which input (its position in the input list)
     * @param element   the element's flat (row-major) index in that input
     * @param cotangent which random cotangent
     */
    public record Failure(String op, int input, int element, int[] index, int cotangent, double analytic, double numeric) {
        @Override
        public String toString() {
            return op + ": input " + input + " element " + element + " " + Arrays.toString(index) + " (cotangent " + cotangent
                    + "): analytic " + analytic + " vs numeric " + numeric + " (difference " + (analytic - numeric) + ")";
        }
    }

    /** The outcome: every disagreeing element (none when passed), and how many derivatives were compared. */
    public record Report(String op, List<Failure> failures, int compared) {
        public boolean passed() { return failures.isEmpty(); }

        @Override
        public String toString() {
            if (passed()) return op + ": gradcheck passed (" + compared + " derivatives)";
            StringBuilder b = new StringBuilder(op + ": gradcheck failed for " + failures.size() + " of " + compared + " derivatives");
            for (int i = 0; i < Math.min(failures.size(), 20); i++) b.append("\n  ").append(failures.get(i));
            if (failures.size() > 20) b.append("\n  ... ").append(failures.size() - 20).append(" more");
            return b.toString();
        }
    }

    /** Checks with {@link Options#DEFAULT}. */
    public static Report check(String op, Function<List<Var>, List<Var>> f, List<Tensor> inputs) {
        return check(op, f, inputs, Options.DEFAULT);
    }

    /**
     * Compares analytic and numeric vector-Jacobian products of {@code f} at {@code inputs}.
     *
     * @param op     a name for the reports (the op under test)
     * @param f      the function; it gets one Var per input, in order, and returns its outputs
     * @param inputs float64 tensors (differentiated) and integer or bool tensors (held constant); not modified
     * @throws IllegalArgumentException when a floating input is not float64 (float32 differences are too coarse)
     */
    public static Report check(String op, Function<List<Var>, List<Var>> f, List<Tensor> inputs, Options o) {
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            if (t.dtype().isFloating() && t.dtype() != DType.FLOAT64)
                throw new IllegalArgumentException("gradcheck " + op + ": input " + i + " is " + t.dtype().torchName() + " of shape "
                        + Shape.str(t.shape()) + "; floating inputs must be float64");
        }
        // copies: the function may not change them, and the numeric pass writes its perturbations into them
        List<Tensor> x = new ArrayList<>();
        for (Tensor t : inputs) x.add(t.copy());

        List<Var> leaves = new ArrayList<>();
        for (Tensor t : x) leaves.add(t.dtype().isFloating() ? Var.leaf(t) : Var.of(t));
        List<Var> outs = f.apply(leaves);

        Generator gen = new Generator(o.seed());
        int nc = o.cotangents();
        double[][][] cot = new double[nc][outs.size()][];      // [cotangent][output], null for non-floating outputs
        double[][][] analytic = new double[nc][x.size()][];    // [cotangent][input], null for non-floating inputs
        for (int c = 0; c < nc; c++) {
            for (Var l : leaves) l.zeroGrad();
            for (int k = 0; k < outs.size(); k++) {
                Var y = outs.get(k);
                if (!y.dtype().isFloating()) continue;
                Tensor v = gen.normal(DType.FLOAT64, 0, 1, y.shape());
                cot[c][k] = v.toDoubleArray();
                // an output that depends on no input contributes nothing to <v, J>; the graph is kept for the next v
                if (y.requiresGrad()) y.backward(v.to(y.dtype()), true);
            }
            for (int i = 0; i < x.size(); i++) {
                Var l = leaves.get(i);
                if (l.requiresGrad()) analytic[c][i] = l.grad() != null ? l.grad().toDoubleArray() : new double[l.numel()];
            }
        }

        List<Failure> failures = new ArrayList<>();
        int compared = 0;
        List<Var> constants = new ArrayList<>();
        for (Tensor t : x) constants.add(Var.of(t));
        for (int i = 0; i < x.size(); i++) {
            Tensor xi = x.get(i);
            if (!xi.dtype().isFloating()) continue;
            double[] a = xi.storage().doubles(); // a fresh contiguous copy: element j sits at offset + j
            int base = xi.offset();
            for (int j = 0; j < xi.numel(); j++) {
                double keep = a[base + j];
                a[base + j] = keep + o.eps();
                double[] plus = dots(op, f, constants, cot, outs);
                a[base + j] = keep - o.eps();
                double[] minus = dots(op, f, constants, cot, outs);
                a[base + j] = keep;
                for (int c = 0; c < nc; c++) {
                    double numeric = (plus[c] - minus[c]) / (2 * o.eps());
                    double an = analytic[c][i][j];
                    compared++;
                    if (!(Math.abs(an - numeric) <= o.atol() + o.rtol() * Math.abs(numeric)))
                        failures.add(new Failure(op, i, j, unravel(j, xi.shape()), c, an, numeric));
                }
            }
        }
        return new Report(op, List.copyOf(failures), compared);
    }

    /** Like {@link #check(String, Function, List)}, throwing an AssertionError with the report when it fails. */
    public static void assertGradients(String op, Function<List<Var>, List<Var>> f, List<Tensor> inputs) {
        assertGradients(op, f, inputs, Options.DEFAULT);
    }

    /** Like {@link #check(String, Function, List, Options)}, throwing an AssertionError with the report when it fails. */
    public static void assertGradients(String op, Function<List<Var>, List<Var>> f, List<Tensor> inputs, Options o) {
        Report r = check(op, f, inputs, o);
        if (!r.passed()) throw new AssertionError(r.toString());
    }

    /**
     * The form for modules: checks the gradients of the given float64 leaves (e.g. a layer's parameters after
     * {@code Module.to(FLOAT64)}, and its input) of the one output of {@code f}, which reads those leaves itself.
     * The leaves are perturbed in place, one element at a time, and restored; one random cotangent per
     * {@link Options#cotangents()}.
     */
    public static Report checkLeaves(String op, Supplier<Var> f, List<Var> leaves, Options o) {
        for (int i = 0; i < leaves.size(); i++) {
            Var l = leaves.get(i);
            if (l.dtype() != DType.FLOAT64 || !l.isLeaf() || !l.requiresGrad() || !l.data().isContiguous())
                throw new IllegalArgumentException("gradcheck " + op + ": leaf " + i + " (" + l + ") must be a contiguous float64 leaf that requires grad");
        }
        Var y = f.get();
        Generator gen = new Generator(o.seed());
        List<Failure> failures = new ArrayList<>();
        int compared = 0;
        for (int c = 0; c < o.cotangents(); c++) {
            for (Var l : leaves) l.zeroGrad();
            Tensor v = gen.normal(DType.FLOAT64, 0, 1, y.shape());
            double[] vv = v.toDoubleArray();
            y.backward(v.to(y.dtype()), true);
            for (int i = 0; i < leaves.size(); i++) {
                Var l = leaves.get(i);
                double[] a = l.grad() == null ? new double[l.numel()] : l.grad().toDoubleArray();
                double[] store = l.data().storage().doubles();
                int base = l.data().offset();
                for (int j = 0; j < l.numel(); j++) {
                    double keep = store[base + j];
                    store[base + j] = keep + o.eps();
                    double plus = dot(f, vv);
                    store[base + j] = keep - o.eps();
                    double minus = dot(f, vv);
                    store[base + j] = keep;
                    double numeric = (plus - minus) / (2 * o.eps());
                    compared++;
                    if (!(Math.abs(a[j] - numeric) <= o.atol() + o.rtol() * Math.abs(numeric)))
                        failures.add(new Failure(op, i, j, unravel(j, l.shape()), c, a[j], numeric));
                }
            }
        }
        for (Var l : leaves) l.zeroGrad();
        return new Report(op, List.copyOf(failures), compared);
    }

    /** {@link #checkLeaves}, throwing an AssertionError with the report when it fails. */
    public static void assertLeafGradients(String op, Supplier<Var> f, List<Var> leaves, Options o) {
        Report r = checkLeaves(op, f, leaves, o);
        if (!r.passed()) throw new AssertionError(r.toString());
    }

    private static double dot(Supplier<Var> f, double[] v) {
        double[] y;
        try (GradMode.Scope _ = GradMode.noGrad()) {
            y = f.get().data().toDoubleArray();
        }
        double s = 0;
        for (int e = 0; e < y.length; e++) s += v[e] * y[e];
        return s;
    }

    /** <v_c, f(x)> summed over the floating outputs, for each cotangent c; evaluated without recording. */
    private static double[] dots(String op, Function<List<Var>, List<Var>> f, List<Var> in, double[][][] cot, List<Var> ref) {
        List<Var> outs;
        try (GradMode.Scope _ = GradMode.noGrad()) {
            outs = f.apply(in);
        }
        if (outs.size() != ref.size())
            throw new IllegalStateException("gradcheck " + op + ": the function returned " + outs.size() + " outputs after a perturbation, "
                    + ref.size() + " before");
        double[] r = new double[cot.length];
        for (int k = 0; k < outs.size(); k++) {
            Tensor y = outs.get(k).data();
            if (!y.dtype().isFloating()) continue;
            if (!Arrays.equals(y.shape(), ref.get(k).shape()))
                throw new IllegalStateException("gradcheck " + op + ": output " + k + " has shape " + Shape.str(y.shape()) + " after a perturbation, "
                        + Shape.str(ref.get(k).shape()) + " before");
            double[] yv = y.toDoubleArray();
            for (int c = 0; c < cot.length; c++) {
                double[] v = cot[c][k];
                double s = 0;
                for (int e = 0; e < yv.length; e++) s += v[e] * yv[e];
                r[c] += s;
            }
        }
        return r;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
