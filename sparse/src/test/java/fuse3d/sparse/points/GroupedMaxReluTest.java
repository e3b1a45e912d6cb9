package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The fused neighbour max pooling equals its composition (indexSelect, maskedFill, permute, add, relu, max over the
 * neighbours; NeighborVoxelSAModuleMSG.groupAndPool) bit for bit, in the output and in both gradients, with ties,
 * dead ReLUs, repeated rows, empty queries and NaN.
 */
class GroupedMaxReluTest {
    @Test
    void handCase() {
        // 2 voxels x 1 channel, 2 queries x 2 neighbours; query 1 is empty
        Var fin = Var.leaf(Tensor.ofFloats(new float[] {1, -3}, 2, 1));
        Var pos = Var.leaf(Tensor.ofFloats(new float[] {0.5f, 2, 1, -1}, 1, 1, 2, 2));
        Tensor idx = Tensor.ofInts(new int[] {0, 1, 0, 0}, 2, 2), empty = Tensor.ofBools(new boolean[] {false, true}, 2);
        Var out = GroupedMaxRelu.apply(fin, idx, empty, pos, 2, 2);
        // query 0: relu(1 + 0.5) = 1.5 vs relu(-3 + 2) = 0 -> 1.5 at s 0; query 1: relu(0 + 1) = 1 vs relu(0 - 1) = 0 -> 1
        assertArrayEquals(new float[] {1.5f, 1}, out.data().toFloatArray());
        out.backward(Tensor.ofFloats(new float[] {10, 20}, 1, 1, 2));
        assertArrayEquals(new float[] {10, 0}, fin.grad().toFloatArray());
        assertArrayEquals(new float[] {10, 0, 20, 0}, pos.grad().toFloatArray());
    }

    @Property(tries = 40)
    void equalsComposition(@ForAll long seed) {
        Generator g = new Generator(seed);
        int n = 1 + (int) g.nextLong(12), c1 = 1 + (int) g.nextLong(5), m = 1 + (int) g.nextLong(9), ns = 1 + (int) g.nextLong(6);
        // small integers: many exact ties and exact zeros after the sum
        Tensor f = g.randint(-3, 4, n, c1).to(DType.FLOAT32), p = g.randint(-3, 4, 1, c1, m, ns).to(DType.FLOAT32);
        if (g.nextLong(4) == 0) p = Tensor.where(p.eq(3), Tensor.scalar(Float.NaN), p);
        Tensor idx = g.randint(0, n, m, ns).to(DType.INT32), empty = g.randint(0, 4, m).eq(0);
        Tensor up = g.randint(-2, 3, 1, c1, m).to(DType.FLOAT32);
        Var fa = Var.leaf(f), pa = Var.leaf(p), fb = Var.leaf(f.copy()), pb = Var.leaf(p.copy());
        Var fused = GroupedMaxRelu.apply(fa, idx, empty, pa, m, ns);
        Var composed = NeighborVoxelSAModuleMSG.groupAndPool(fb, idx.reshape(m * ns).to(DType.INT64), empty.reshape(m, 1, 1), pb, m, ns, true);
        assertArrayEquals(composed.data().toFloatArray(), fused.data().toFloatArray());
        fused.backward(up);
        composed.backward(up);
        assertArrayEquals(fb.grad().toFloatArray(), fa.grad().toFloatArray());
        assertArrayEquals(pb.grad().toFloatArray(), pa.grad().toFloatArray());
    }
}
