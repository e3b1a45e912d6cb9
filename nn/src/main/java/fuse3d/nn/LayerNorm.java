package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/** torch.nn.LayerNorm over the trailing {@code normalizedShape}, with elementwise affine weight (ones) and bias (zeros). */
public final class LayerNorm extends Layer {
    private final int[] normalizedShape;
    private final double eps;
    private final boolean elementwiseAffine;

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        }
    }

    public LayerNorm(int features) { this(new int[] {features}, 1e-5, true); }

    @Override
    protected Var forward(Var x) { return Functional.layerNorm(x, normalizedShape, parameter("weight"), parameter("bias"), eps); }

    @Override
    protected String extraRepr() { return Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + elementwiseAffine; }
}
