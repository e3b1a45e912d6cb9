package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/** The argument checks the losses share; every message names the loss and the shapes involved. */
final class LossChecks {
    private LossChecks() {}

    static void requireFloating(String loss, String what, Tensor t) {
        if (!t.dtype().isFloating())
            throw new IllegalArgumentException(loss + ": " + what + " must be a floating tensor, got " + t.dtype().torchName()
                    + " of shape " + Shape.str(t.shape()));
    }

    static void requireFloating(String loss, String what, Var v) { requireFloating(loss, what, v.data()); }

    static void requireIndices(String loss, String what, Tensor t) {
        if (t.dtype() != DType.INT64 && t.dtype() != DType.INT32)
            throw new IllegalArgumentException(loss + ": " + what + " must hold class indices (int64 or int32), got "
                    + t.dtype().torchName() + " of shape " + Shape.str(t.shape()));
    }

    static void requireSameShape(String loss, String a, int[] sa, String b, int[] sb) {
        if (!Arrays.equals(sa, sb))
            throw new IllegalArgumentException(loss + ": " + a + " of shape " + Shape.str(sa) + " and " + b + " of shape "
                    + Shape.str(sb) + " must have the same shape");
    }

    /** {@code t} must broadcast to {@code shape} without enlarging it (it scales a loss of that shape). */
    static void requireBroadcastsTo(String loss, String what, Tensor t, String target, int[] shape) {
        int[] out;
        try {
            out = Shape.broadcast(loss, shape, t.shape());
        } catch (IllegalArgumentException e) {
            out = null;
        }
        if (out == null || !Arrays.equals(out, shape))
            throw new IllegalArgumentException(loss + ": " + what + " of shape " + Shape.str(t.shape()) + " does not broadcast to the "
                    + target + " shape " + Shape.str(shape));
    }

    static void requireNonNegative(String loss, String what, double v) {
        if (!(v >= 0)) throw new IllegalArgumentException(loss + ": " + what + " must be >= 0, got " + v);
    }

    /** The same tensor in the given floating dtype (targets and weights follow the prediction's dtype). */
    static Tensor as(Tensor t, DType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }
}
