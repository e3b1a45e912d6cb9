package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * The Lovasz-softmax loss of Berman, Rannen Triki and Blaschko (CVPR 2018, "The Lovasz-Softmax loss: a tractable
 * surrogate for the optimization of the intersection-over-union measure in neural networks"): for each class c,
 * the Lovasz extension of the Jaccard loss evaluated at the errors {@code e_i = |fg_i - p_i[c]|}; the result is
 * the mean over the classes taken. The twin of the authors' {@code lovasz_softmax(probas, labels,
 * classes='present', per_image=False, ignore=None)} (no PyTorch built-in exists).
 *
 * <p>Per class: sort the errors in decreasing order (permutation pi), let {@code g = fg[pi]}, {@code I_k = sum(g)
 * - cumsum(g)_k}, {@code U_k = sum(g) + cumsum(1 - g)_k}, {@code J_k = 1 - I_k / U_k}; the weights are the
 * increments {@code w_0 = J_0, w_k = J_k - J_(k-1)} and the loss is {@code sum_k e_pi(k) * w_k}.
 *
 * <p><b>How the gradient avoids a differentiable sort.</b> The weights depend on the errors only through the
 * ordering, which is locally constant, so {@code sum_k e_pi(k) w_k = sum_i e_i w_rank(i)}: the loss is the plain
 * dot product of the unsorted errors with the weights moved back to the rows they came from. The sort, the
 * cumulative sums and that move back (a scatter by the permutation) all run on constant Tensors; the only Var ops
 * are {@code |fg - p|}, a product with a constant and sums. The gradient is the one the reference gets through
 * torch.sort's backward (which scatters by the same permutation), it costs O(P) memory rather than a P x P
 * permutation matrix, and no gather/sort op on Vars is needed. At tied errors the ordering, hence the subgradient,
 * is whichever the sort returns; the loss value itself does not depend on how ties are broken.
 *
 * <p>Shapes: probas [B, C, d1, ..., dk] (softmax outputs, k >= 0), labels [B, d1, ..., dk] of class indices in
 * [0, C) or equal to {@code ignore}. Differences from the reference, all at degenerate inputs: when every label is
 * ignored the loss is a 0 scalar (the reference returns an empty tensor), and labels outside [0, C) that are not
 * ignored are an error (the reference silently treats them as background of every class).
 */
public final class LovaszSoftmaxLoss {
    private LovaszSoftmaxLoss() {}

    /** classes 'present', one flattened batch, nothing ignored. */
    public static Var lovaszSoftmax(Var probas, Tensor labels) { return lovaszSoftmax(probas, labels, "present", false, null); }

    /**
     * @param classes  "present" (only classes that occur in the labels; the default) or "all"
     * @param perImage average the per-image losses instead of treating the batch as one image
     * @param ignore   a label value to leave out, or null
     */
    public static Var lovaszSoftmax(Var probas, Tensor labels, String classes, boolean perImage, Integer ignore) {
        boolean present = switch (classes) {
            case "present" -> true;
            case "all" -> false;
            default -> throw new IllegalArgumentException("lovasz_softmax: classes must be 'present', 'all' or a list of class indices, got '" + classes + "'");
        };
        int c = checkShapes(probas, labels);
        double[] selection = new double[c];
        Arrays.fill(selection, 1.0);
        return run(probas, labels, present, selection, perImage, ignore);
    }

    /** Averages over the listed classes (each as often as it is listed, present or not), as the reference does. */
    public static Var lovaszSoftmax(Var probas, Tensor labels, int[] classes, boolean perImage, Integer ignore) {
        int c = checkShapes(probas, labels);
        double[] selection = new double[c];
        for (int k : classes) {
            if (k < 0 || k >= c)
                throw new IllegalArgumentException("lovasz_softmax: class " + k + " in " + Arrays.toString(classes) + " is out of range for "
                        + c + " classes (probas of shape " + Shape.str(probas.shape()) + ")");
            selection[k] += 1;
        }
        return run(probas, labels, false, selection, perImage, ignore);
    }

    private static int checkShapes(Var probas, Tensor labels) {
        String loss = "lovasz_softmax";
        LossChecks.requireFloating(loss, "probas", probas);
        LossChecks.requireIndices(loss, "labels", labels);
        if (probas.dim() < 2)
            throw new IllegalArgumentException(loss + ": probas must be [B, C, d1, ...], got shape " + Shape.str(probas.shape()));
        int[] expected = NllLoss.indexTargetShape(probas.shape(), 1);
        if (!Arrays.equals(labels.shape(), expected))
            throw new IllegalArgumentException(loss + ": probas of shape " + Shape.str(probas.shape()) + " need labels of shape "
                    + Shape.str(expected) + ", got " + Shape.str(labels.shape()));
        return probas.size(1);
    }

    private static Var run(Var probas, Tensor labels, boolean present, double[] selection, boolean perImage, Integer ignore) {
        Tensor sel = Tensor.of(selection, selection.length).to(probas.dtype());
        if (!perImage) return flat(flatten(probas), labels.reshape(-1), present, sel, ignore);
        int b = probas.size(0);
        if (b == 0) return probas.sum().mul(0.0); // the reference's mean of nothing is 0
        Var total = null;
        for (int i = 0; i < b; i++) {
            Var li = flat(flatten(probas.select(0, i).unsqueeze(0)), labels.select(0, i).reshape(-1), present, sel, ignore);
            total = total == null ? li : total.add(li);
        }
        return total.div(Tensor.scalar(b, probas.dtype()));
    }

    /** [B, C, d1, ...] to [B*d1*..., C]: one row per pixel (voxel), as the reference's flatten_probas. */
    private static Var flatten(Var probas) {
        int rank = probas.dim(), c = probas.size(1);
        // the class dim goes last: [N, C, d...] -> [N, d..., C] -> [M, C]
        int[] order = new int[rank];
        order[0] = 0;
        for (int i = 1; i < rank - 1; i++) order[i] = i + 1;
        order[rank - 1] = 1;
        Var moved = probas.permute(order);
        return moved.reshape(-1, c);
    }

    /** The loss of one flattened set of rows: probas [M, C], labels [M]. */
    private static Var flat(Var probas, Tensor labels, boolean present, Tensor selection, Integer ignore) {
        String loss = "lovasz_softmax";
        int m = probas.size(0), c = probas.size(1);
        DType dt = probas.dtype();
        Tensor lab = labels.to(DType.INT64);
        Tensor kept = ignore == null ? Tensor.full(1, DType.BOOL, m) : lab.ne((double) ignore);
        Tensor rows = kept.nonzero().reshape(-1); // [V] rows that take part
        int v = rows.size(0);
        if (v == 0) return probas.sum().mul(0.0); // nothing to score: 0, with a zero gradient
        Tensor labKept = lab.indexSelect(0, rows);
        long lo = (long) labKept.amin(null, false).item(), hi = (long) labKept.amax(null, false).item();
        if (lo < 0 || hi >= c)
            throw new IndexOutOfBoundsException(loss + ": label " + (lo < 0 ? lo : hi) + " is out of range for " + c + " classes"
                    + (ignore == null ? " (no ignore index set)" : " and is not the ignore index " + ignore));

        // one-hot foreground of every row; ignored rows get class 0 but weight 0 below
        Tensor safeLab = Tensor.where(kept, lab, Tensor.scalar(0, DType.INT64));
        Tensor fg = Tensor.zeros(dt, m, c).scatter(1, safeLab.unsqueeze(1), 1.0);
        Tensor fgKept = fg.indexSelect(0, rows);                               // [V, C]
        Tensor errKept = fgKept.sub(probas.data().indexSelect(0, rows)).abs(); // [V, C]

        // per class (column): order by decreasing error and take the Jaccard increments along that order
        Tensor perm = errKept.sort(0, true).indices();       // [V, C]
        Tensor fgSorted = fgKept.gather(0, perm);
        Tensor gts = fgSorted.sum(new int[] {0}, true);      // [1, C] foreground count per class
        Tensor intersection = gts.sub(fgSorted.cumsum(0));
        Tensor union = gts.add(fgSorted.neg().add(1.0).cumsum(0));
        Tensor jaccard = intersection.div(union).neg().add(1.0);
        Tensor increments = v == 1 ? jaccard
                : Tensor.cat(0, jaccard.narrow(0, 0, 1), jaccard.narrow(0, 1, v - 1).sub(jaccard.narrow(0, 0, v - 1)));

        // back to the rows the errors came from; rows left out keep weight 0
        Tensor weightsKept = Tensor.zeros(dt, v, c).scatter(0, perm, increments);
        Tensor weights = v == m ? weightsKept : Tensor.zeros(dt, m, c).indexPut(new Tensor[] {rows}, weightsKept, false);

        Var errors = Var.of(fg).sub(probas).abs();                      // [M, C], differentiable in probas
        Var perClass = errors.mul(weights).sum(new int[] {0}, false);   // [C]
        Tensor taken = present ? gts.reshape(c).gt(0.0).to(dt).mul(selection) : selection;
        double count = taken.sum().item();
        if (count == 0) return perClass.sum().mul(0.0); // no class to average: the reference's mean of nothing, 0
        return perClass.mul(taken).sum().div(Tensor.scalar(count, dt));
    }
}
