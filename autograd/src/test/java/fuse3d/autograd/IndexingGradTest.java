package fuse3d.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The indexing derivatives at the points the registry's random samples never reach: repeated indices, ties of
 * amax/amin, zero factors of prod, empty scatter_max slots, overwriting index_put, bool masks. Each case names the
 * PyTorch (1.13; torch_scatter for scatter_max) program it mirrors and the gradients PyTorch gives.
 */
class IndexingGradTest {
    private static Tensor t(double... v) { return Tensor.of(v, v.length); }

    private static Tensor idx(long... v) { return Tensor.ofLongs(v, v.length); }

    private static void assertGrad(double[] expected, Var x) { assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12); }

    @Test
    void indexSelectAddsUpRepeatedIndices() {
        // x.index_select(0, tensor([0, 0, 2])).sum().backward(); x.grad -> [2., 0., 1.]
        Var x = Var.leaf(t(1, 2, 3));
        x.indexSelect(0, idx(0, 0, 2)).sum().backward();
        assertGrad(new double[] {2, 0, 1}, x);
    }

    @Test
    void gatherAddsBackAtTheGatheredPositions() {
        // x [2, 3]; x.gather(1, tensor([[0, 0], [2, 1]])).sum().backward(); x.grad -> [[2, 0, 0], [0, 1, 1]]
        Var x = Var.leaf(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        x.gather(1, Tensor.ofLongs(new long[] {0, 0, 2, 1}, 2, 2)).sum().backward();
        assertGrad(new double[] {2, 0, 0, 0, 1, 1}, x);
    }

    @Test
    void scatterGivesOverwrittenElementsNoGradient() {
        // y = x.scatter(0, tensor([1, 3]), src); y.backward(tensor([1., 2., 3., 4.]))
        // x.grad -> [1., 0., 3., 0.]; src.grad -> [2., 4.]
        Var x = Var.leaf(t(1, 2, 3, 4)), src = Var.leaf(t(10, 20));
        x.scatter(0, idx(1, 3), src).backward(t(1, 2, 3, 4));
        assertGrad(new double[] {1, 0, 3, 0}, x);
        assertGrad(new double[] {2, 4}, src);
    }

    @Test
    void scatterReadsOnlyTheLeadingBlockOfALargerSrc() {
        // x.scatter_add(0, tensor([[1, 0]]), src) with src [2, 3]: only src[0, :2] is read, so
        // y.backward(g = [[1, 2], [3, 4]]): src.grad -> [[g[1, 0], g[0, 1], 0], [0, 0, 0]] = [[3, 2, 0], [0, 0, 0]]; x.grad -> g
        Var x = Var.leaf(Tensor.zeros(DType.FLOAT64, 2, 2)), src = Var.leaf(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Var y = x.scatterAdd(0, Tensor.ofLongs(new long[] {1, 0}, 1, 2), src);
        y.backward(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        assertGrad(new double[] {3, 2, 0, 0, 0, 0}, src);
        assertGrad(new double[] {1, 2, 3, 4}, x);
    }

    @Test
    void scatterReduceMeanCountsSelfOnlyWhenIncluded() {
        // x.scatter_reduce(0, tensor([0, 0, 2]), tensor([4., 5., 6.]), "mean", include_self=True).sum().backward()
        // x.grad -> [1/3, 1, 1/2]; src.grad -> [1/3, 1/3, 1/2]
        Var x = Var.leaf(t(1, 2, 3)), src = Var.leaf(t(4, 5, 6));
        x.scatterReduce(0, idx(0, 0, 2), src, "mean", true).sum().backward();
        assertGrad(new double[] {1.0 / 3, 1, 0.5}, x);
        assertGrad(new double[] {1.0 / 3, 1.0 / 3, 0.5}, src);
        // include_self=False: x.grad -> [0, 1, 0]; src.grad -> [1/2, 1/2, 1]
        Var x2 = Var.leaf(t(1, 2, 3)), src2 = Var.leaf(t(4, 5, 6));
        x2.scatterReduce(0, idx(0, 0, 2), src2, "mean", false).sum().backward();
        assertGrad(new double[] {0, 1, 0}, x2);
        assertGrad(new double[] {0.5, 0.5, 1}, src2);
    }

    @Test
    void scatterReduceSumWithoutSelf() {
        // x.scatter_reduce(0, tensor([0, 0, 2]), src, "sum", include_self=False).backward(g)
        // x.grad -> g with positions 0 and 2 zeroed; src.grad -> g[[0, 0, 2]]
        Var x = Var.leaf(t(1, 2, 3)), src = Var.leaf(t(4, 5, 6));
        x.scatterReduce(0, idx(0, 0, 2), src, "sum", false).backward(t(1, 2, 3));
        assertGrad(new double[] {0, 2, 0}, x);
        assertGrad(new double[] {1, 1, 3}, src);
    }

    @Test
    void scatterReduceProdIsExactAtZeroFactors() {
        // x = [2., 3., 0.]; src = [0., 5., 7., 0., 4.]; index = [0, 0, 1, 2, 2]; "prod", include_self=True
        // slot 0 = 2*0*5 (one zero): only the zero factor gets the others' product, 10
        // slot 1 = 3*7: the usual y / factor
        // slot 2 = 0*0*4 (two zeros): every factor gets 0
        // x.grad -> [0., 7., 0.]; src.grad -> [10., 0., 3., 0., 0.]
        Var x = Var.leaf(t(2, 3, 0)), src = Var.leaf(t(0, 5, 7, 0, 4));
        x.scatterReduce(0, idx(0, 0, 1, 2, 2), src, "prod", true).sum().backward();
        assertGrad(new double[] {0, 7, 0}, x);
        assertGrad(new double[] {10, 0, 3, 0, 0}, src);
        // a product is multilinear, so finite differences are exact at zeros too
        for (boolean self : new boolean[] {true, false}) {
            Gradcheck.Report r = Gradcheck.check("scatter_reduce prod", in -> List.of(in.get(0).scatterReduce(0, in.get(2).data(), in.get(1), "prod", self)),
                    List.of(t(2, 3, 0), t(0, 5, 7, 0, 4), idx(0, 0, 1, 2, 2)));
            assertTrue(r.passed(), r::toString);
        }
    }

    @Test
    void scatterReduceAmaxSharesTiesEvenly() {
        // x = [1., 0.]; src = [1., .5, 2.]; index = [0, 0, 1]; "amax", include_self=True
        // slot 0: self and src[0] tie at 1 -> half each; slot 1: src[2] wins
        // x.grad -> [.5, 0.]; src.grad -> [.5, 0., 1.]
        Var x = Var.leaf(t(1, 0)), src = Var.leaf(t(1, 0.5, 2));
        x.scatterReduce(0, idx(0, 0, 1), src, "amax", true).sum().backward();
        assertGrad(new double[] {0.5, 0}, x);
        assertGrad(new double[] {0.5, 0, 1}, src);
        // include_self=False: self takes no part where it is replaced -> x.grad [0, 0], src.grad [1, 0, 1]
        Var x2 = Var.leaf(t(1, 0)), src2 = Var.leaf(t(1, 0.5, 2));
        x2.scatterReduce(0, idx(0, 0, 1), src2, "amax", false).sum().backward();
        assertGrad(new double[] {0, 0}, x2);
        assertGrad(new double[] {1, 0, 1}, src2);
        // "amin", x = [9., 8., 7.], src = [-1., -1.] both into slot 0: the tied sources share slot 0's gradient,
        // the untouched slots pass theirs to x: x.grad -> [0, 1, 1]; src.grad -> [.5, .5]
        Var x3 = Var.leaf(t(9, 8, 7)), src3 = Var.leaf(t(-1, -1));
        x3.scatterReduce(0, idx(0, 0), src3, "amin", true).sum().backward();
        assertGrad(new double[] {0, 1, 1}, x3);
        assertGrad(new double[] {0.5, 0.5}, src3);
    }

    @Test
    void scatterMaxSendsGradientsToTheArgmaxOnly() {
        // torch_scatter.scatter_max(src=[[1], [3], [2]], index=[[0], [0], [2]], dim=0, dim_size=4)
        // -> values [3, 0, 2, 0], argmax [1, 3, 2, 3]; values.backward([1, 2, 3, 4]); src.grad -> [0, 1, 3]
        Var src = Var.leaf(Tensor.of(new double[] {1, 3, 2}, 3, 1));
        Var.ValuesIndices vi = Var.scatterMax(src, 0, Tensor.ofLongs(new long[] {0, 0, 2}, 3, 1), 4);
        assertArrayEquals(new long[] {1, 3, 2, 3}, vi.indices().toLongArray());
        vi.values().backward(Tensor.of(new double[] {1, 2, 3, 4}, 4, 1));
        assertGrad(new double[] {0, 1, 3}, src);
    }

    @Test
    void indexPutWithoutAccumulateZeroesTheOverwrittenGradient() {
        // x = zeros(3, 2); y = x.index_put((tensor([2, -3]),), values) with values of shape [2] (broadcast to [2, 2])
        // y.backward(g = [[1, 2], [3, 4], [5, 6]]): x.grad -> [[0, 0], [3, 4], [0, 0]]; values.grad -> g[2] + g[0] = [6, 8]
        Var x = Var.leaf(Tensor.zeros(DType.FLOAT64, 3, 2)), values = Var.leaf(t(7, 8));
        Tensor gOut = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        x.indexPut(new Tensor[] {idx(2, -3)}, values, false).backward(gOut);
        assertGrad(new double[] {0, 0, 3, 4, 0, 0}, x);
        assertGrad(new double[] {6, 8}, values);
        // accumulate=True with a repeated index: x.grad -> g; values.grad -> [g[1, 0], g[1, 1]] per row -> [[3, 4], [3, 4]]
        Var x2 = Var.leaf(Tensor.zeros(DType.FLOAT64, 3, 2)), v2 = Var.leaf(Tensor.ones(DType.FLOAT64, 2, 2));
        x2.indexPut(new Tensor[] {idx(1, 1)}, v2, true).backward(gOut);
        assertGrad(new double[] {1, 2, 3, 4, 5, 6}, x2);
        assertGrad(new double[] {3, 4, 3, 4}, v2);
    }

    @Test
    void indexPutWithABoolMask() {
        // x[mask] = values with mask = [[T, F], [F, T]]: x.grad -> g with both zeroed; values.grad -> [g00, g11]
        Var x = Var.leaf(Tensor.zeros(DType.FLOAT64, 2, 2)), values = Var.leaf(t(5, 6));
        Tensor mask = Tensor.ofBools(new boolean[] {true, false, false, true}, 2, 2);
        x.indexPut(new Tensor[] {mask}, values, false).backward(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        assertGrad(new double[] {0, 2, 3, 0}, x);
        assertGrad(new double[] {1, 4}, values);
    }

    @Test
    void maskedSelectThroughABroadcastMask() {
        // x [3]; mask [2, 3]; x.masked_select(mask).backward(g): x.grad sums the picks of each column
        Var x = Var.leaf(t(1, 2, 3));
        Tensor mask = Tensor.ofBools(new boolean[] {true, false, true, true, true, false}, 2, 3);
        Var y = x.maskedSelect(mask);
        assertArrayEquals(new double[] {1, 3, 1, 2}, y.data().toDoubleArray());
        y.backward(t(10, 20, 30, 40));
        assertGrad(new double[] {40, 40, 20}, x);
    }

    @Test
    void sortTopkAndMaxRouteGradientsThroughTheirIndices() {
        // v, i = x.sort(); v.backward([10, 20, 30]) with x = [3, 1, 2]: x.grad -> [30, 10, 20]
        Var x = Var.leaf(t(3, 1, 2));
        x.sort(0, false).values().backward(t(10, 20, 30));
        assertGrad(new double[] {30, 10, 20}, x);
        // x.topk(2).values.backward([1, 2]) with x = [1, 5, 3, 4]: x.grad -> [0, 1, 0, 2]
        Var y = Var.leaf(t(1, 5, 3, 4));
        y.topk(2, 0, true, true).values().backward(t(1, 2));
        assertGrad(new double[] {0, 1, 0, 2}, y);
        // x.max(dim=1) at a tie gives the whole gradient to the returned (first) index:
        // x = [[1, 3, 3], [2, 0, 1]]; x.max(1).values.sum().backward(); x.grad -> [[0, 1, 0], [1, 0, 0]]
        Var z = Var.leaf(Tensor.of(new double[] {1, 3, 3, 2, 0, 1}, 2, 3));
        z.max(1, false).values().sum().backward();
        assertGrad(new double[] {0, 1, 0, 1, 0, 0}, z);
        // x.min(dim=0, keepdim=True).values.sum().backward(): x.grad -> [[1, 0, 0], [0, 1, 1]]
        Var w = Var.leaf(Tensor.of(new double[] {1, 3, 3, 2, 0, 1}, 2, 3));
        w.min(0, true).values().sum().backward();
        assertGrad(new double[] {1, 0, 0, 0, 1, 1}, w);
    }
}
