package fuse3d.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The graph engine itself (accumulation, shared subexpressions, retained graphs, no-grad scopes, detach, hooks,
 * retain_grad, errors). Each case names the PyTorch program it mirrors and the value PyTorch gives.
 */
class AutogradEngineTest {
    private static Var leaf(double... v) { return Var.leaf(Tensor.of(v, v.length)); }

    private static void assertGrad(double[] expected, Var x) {
        assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        // x = torch.tensor([1., 2., 3.], requires_grad=True)
        // (x * x).sum().backward(); (x * x).sum().backward(); x.grad -> tensor([4., 8., 12.])
        Var x = leaf(1, 2, 3);
        x.mul(x).sum().backward();
        assertGrad(new double[] {2, 4, 6}, x);
        x.mul(x).sum().backward();
        assertGrad(new double[] {4, 8, 12}, x);
        // x.grad = None; (x * x).sum().backward(); x.grad -> tensor([2., 4., 6.])
        x.zeroGrad();
        x.mul(x).sum().backward();
        assertGrad(new double[] {2, 4, 6}, x);
    }

    @Test
    void sharedSubexpressionsAddTheirGradients() {
        // x = torch.tensor([0.5, -1.], requires_grad=True); (x * x + x).sum().backward(); x.grad -> 2x + 1 = [2., -1.]
        Var x = leaf(0.5, -1);
        x.mul(x).add(x).sum().backward();
        assertGrad(new double[] {2, -1}, x);
        // y = x.exp(); (y * y).sum().backward(); x.grad -> 2 exp(2x) = [5.43656..., 0.27067...]
        Var z = leaf(0.5, -1);
        Var y = z.exp();
        y.mul(y).sum().backward();
        assertGrad(new double[] {2 * Math.exp(1), 2 * Math.exp(-2)}, z);
    }

    @Test
    void backwardWithAGivenGradient() {
        // x = torch.tensor([1., 2., 3.], requires_grad=True); (x * 2).backward(torch.tensor([1., .1, .01]))
        // x.grad -> tensor([2., .2, .02])
        Var x = leaf(1, 2, 3);
        x.mul(2.0).backward(Tensor.of(new double[] {1, 0.1, 0.01}, 3));
        assertGrad(new double[] {2, 0.2, 0.02}, x);
    }

    @Test
    void aGradientOfAnotherDtypeIsCastToTheOutputs() {
        // x float64; (x * 2).backward(torch.ones(2, dtype=torch.float32)); x.grad.dtype -> torch.float64, [2., 2.]
        Var x = leaf(1, 2);
        x.mul(2.0).backward(Tensor.ones(DType.FLOAT32, 2));
        assertEquals(DType.FLOAT64, x.grad().dtype());
        assertGrad(new double[] {2, 2}, x);
    }

    @Test
    void aRetainedGraphAllowsASecondBackward() {
        // y = (x * x).sum(); y.backward(retain_graph=True); y.backward(); x.grad -> 4x = [4., 8.]
        Var x = leaf(1, 2);
        Var y = x.mul(x).sum();
        y.backward(Tensor.scalar(1.0, DType.FLOAT64), true);
        y.backward();
        assertGrad(new double[] {4, 8}, x);
    }

    @Test
    void aSecondBackwardThroughAFreedGraphFails() {
        // y = (x * x).sum(); y.backward(); y.backward()
        // -> RuntimeError: Trying to backward through the graph a second time ... Specify retain_graph=True
        Var x = leaf(1, 2);
        Var y = x.mul(x).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("a second time") && e.getMessage().contains("retain"), e.getMessage());
        assertGrad(new double[] {2, 4}, x); // the failed pass added nothing
    }

    @Test
    void noGradScopesRecordNothing() {
        // with torch.no_grad(): y = x * 2  ->  y.requires_grad False, y.grad_fn None
        Var x = leaf(1, 2);
        Var y;
        try (GradMode.Scope _ = GradMode.noGrad()) {
            y = x.mul(2.0);
            assertFalse(GradMode.isEnabled());
            // with torch.enable_grad(): inside no_grad records again
            try (GradMode.Scope _ = GradMode.enableGrad()) {
                assertTrue(x.mul(2.0).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void detachCutsTheGraph() {
        // (x.detach() * x).sum().backward(); x.grad -> x (not 2x) = [3., -1.]
        Var x = leaf(3, -1);
        Var d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        d.mul(x).sum().backward();
        assertGrad(new double[] {3, -1}, x);
    }

    @Test
    void hooksChangeGradients() {
        // x.register_hook(lambda g: g * 10); (x * 3).sum().backward(); x.grad -> [30., 30.]
        Var x = leaf(1, 2);
        x.registerHook(g -> g.mul(10.0));
        x.mul(3.0).sum().backward();
        assertGrad(new double[] {30, 30}, x);
        // y = z * 3; y.register_hook(lambda g: g * 2); y.sum().backward(); z.grad -> [6., 6.]
        Var z = leaf(1, 2);
        Var y = z.mul(3.0);
        y.registerHook(g -> g.mul(2.0));
        y.sum().backward();
        assertGrad(new double[] {6, 6}, z);
        // torch.tensor([1.]).register_hook(...) -> RuntimeError: cannot register a hook on a tensor that doesn't require gradient
        assertThrows(IllegalStateException.class, () -> Var.of(Tensor.ones(1)).registerHook(g -> g));
    }

    @Test
    void retainGradKeepsANonLeafsGradient() {
        // y = x * 3; y.retain_grad(); w = x * 2; (y * y + w).sum().backward()
        // y.grad -> 2y = [6., 12.]; w.grad -> None (non-leaf, not retained); x.grad -> 18x + 2 = [20., 38.]
        Var x = leaf(1, 2);
        Var y = x.mul(3.0).retainGrad();
        Var w = x.mul(2.0);
        y.mul(y).add(w).sum().backward();
        assertGrad(new double[] {6, 12}, y);
        assertNull(w.grad());
        assertGrad(new double[] {20, 38}, x);
    }

    @Test
    void leavesGetGradientsOfTheirOwn() {
        // (a + b).sum().backward(); a.grad.zero_() leaves b.grad at [1., 1.]: two tensors, not one
        Var a = leaf(1, 2), b = leaf(3, 4);
        a.add(b).sum().backward();
        assertNotSame(a.grad(), b.grad());
        a.grad().zero_();
        assertGrad(new double[] {1, 1}, b);
        // x.backward(g) on a leaf stores a copy: changing g afterwards leaves x.grad alone
        Var x = leaf(1, 2);
        Tensor g = Tensor.of(new double[] {5, 6}, 2);
        x.backward(g);
        g.fill_(0);
        assertGrad(new double[] {5, 6}, x);
    }

    @Test
    void integerOutputsAndConstantsCarryNoGradient() {
        // v, i = x.max(dim=0): v.requires_grad True, i.requires_grad False; torch.tensor([1]).requires_grad_() fails
        Var x = leaf(1, 5, 2);
        Var.ValuesIndices vi = x.max(0, false);
        assertTrue(vi.values().requiresGrad());
        assertEquals(DType.INT64, vi.indices().dtype());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Var.leaf(Tensor.ofLongs(new long[] {1}, 1)));
        assertTrue(e.getMessage().contains("int64"), e.getMessage());
        // (c * x).sum().backward() with c a constant: c.grad stays None
        Var c = Var.of(Tensor.of(new double[] {1, 1, 1}, 3));
        c.mul(x).sum().backward();
        assertNull(c.grad());
    }

    @Test
    void backwardOnANonScalarNeedsAGradient() {
        // (x * 2).backward() -> RuntimeError: grad can be implicitly created only for scalar outputs
        Var x = leaf(1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).backward());
        assertTrue(e.getMessage().contains("one-element") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void aGradientOfTheWrongShapeIsRefused() {
        // (x * 2).backward(torch.ones(3)) -> RuntimeError: Mismatch in shape: grad_output[0] has a shape of
        // torch.Size([3]) and output[0] has a shape of torch.Size([2])
        Var x = leaf(1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).backward(Tensor.ones(DType.FLOAT64, 3)));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void aRuleReturningTheWrongShapeIsNamed() {
        // no PyTorch twin at user level (its engine validates each function's outputs the same way):
        // the error names the op and both shapes
        Var x = leaf(1, 2);
        Var y = Var.record("broken_op", x.data().mul(2.0), (g, n) -> new Tensor[] {g.sum()}, x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("broken_op") && e.getMessage().contains("[2]"), e.getMessage());
    }
}
