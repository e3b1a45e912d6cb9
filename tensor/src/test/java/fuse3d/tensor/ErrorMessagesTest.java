package fuse3d.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Wrong shapes, dtypes or dims fail at the door with a message naming the op, the shapes and the expectation. */
class ErrorMessagesTest {
    private static String message(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    private static void startsWith(String prefix, Executable e) {
        String m = message(e);
        assertTrue(m.startsWith(prefix), () -> "message '" + m + "' should start with '" + prefix + "'");
    }

    @Test
    void matmul() {
        assertEquals("matmul: [2, 3] x [4, 5]: inner dims 3 != 4", message(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5))));
        startsWith("matmul: shapes [2] and [3] cannot be broadcast", () -> Tensor.zeros(2, 1, 3).matmul(Tensor.zeros(3, 3, 1)));
        startsWith("matmul: dtypes differ", () -> Tensor.zeros(2, 2).matmul(Tensor.zeros(DType.FLOAT64, 2, 2)));
    }

    @Test
    void convolution() {
        Tensor x = Tensor.zeros(1, 3, 8, 8);
        assertEquals("conv2d: input [1, 3, 8, 8] has 3 channels but weight [16, 4, 3, 3] expects 4 (in/groups=4, groups=1)",
                message(() -> F.conv2d(x, Tensor.zeros(16, 4, 3, 3), null, 1, 1)));
        startsWith("conv2d: expects a 3-d (unbatched) or 4-d (batched) input, got [8, 8]", () -> F.conv2d(Tensor.zeros(8, 8), Tensor.zeros(1, 1, 3, 3), null, 1, 0));
        startsWith("conv2d: bias must be [16], got [3]", () -> F.conv2d(x, Tensor.zeros(16, 3, 3, 3), Tensor.zeros(3), 1, 1));
        startsWith("conv2d: padded input size 2 in spatial dim 0 is smaller than the dilated kernel 3",
                () -> F.conv2d(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 3, 3), null, 1, 0));
        startsWith("conv3d: stride needs 3 entries", () -> F.conv3d(Tensor.zeros(1, 1, 4, 4, 4), Tensor.zeros(1, 1, 1, 1, 1), null, new int[] {1}, new int[] {0, 0, 0}, new int[] {1, 1, 1}, 1));
        startsWith("conv2d: input, weight and bias must share a floating dtype", () -> F.conv2d(x, Tensor.zeros(DType.FLOAT64, 2, 3, 1, 1), null, 1, 0));
        startsWith("conv_transpose2d: output_padding [2, 2] must be smaller than stride or dilation",
                () -> F.convTranspose2d(x, Tensor.zeros(3, 2, 3, 3), null, new int[] {2, 2}, new int[] {0, 0}, new int[] {2, 2}, 1, new int[] {1, 1}));
    }

    @Test
    void poolingAndResampling() {
        Tensor x = Tensor.zeros(1, 2, 4, 4);
        startsWith("max_pool2d: padding [2, 2] must be at most half of kernel_size [3, 3]",
                () -> F.maxPool2d(x, new int[] {3, 3}, null, new int[] {2, 2}, new int[] {1, 1}, false));
        startsWith("avg_pool2d: input [1, 2, 4, 4] is too small for kernel [5, 5]",
                () -> F.avgPool2d(x, new int[] {5, 5}, null, new int[] {0, 0}, false, true, 0));
        startsWith("interpolate: mode 'trilinear' expects 5-d input, got [1, 2, 4, 4]", () -> F.interpolate(x, new int[] {8, 8}, null, "trilinear", false));
        startsWith("interpolate: give exactly one of size and scale_factor", () -> F.interpolate(x, null, null, "nearest", null));
        startsWith("grid_sample: grid [1, 3, 3, 3] must be [N, out, out, 2]", () -> F.gridSample(x, Tensor.zeros(1, 3, 3, 3), "bilinear", "zeros", false));
        startsWith("grid_sample: unknown padding_mode 'wrap'", () -> F.gridSample(x, Tensor.zeros(1, 3, 3, 2), "bilinear", "wrap", false));
    }

    @Test
    void indexingAndReductions() {
        startsWith("index_select: index must be int64 or int32, got float32", () -> Tensor.zeros(3).indexSelect(0, Tensor.zeros(2)));
        startsWith("scatter_reduce: reduce must be one of", () -> Tensor.zeros(3).scatterReduce(0, Tensor.arange(3), Tensor.zeros(3), "median", true));
        startsWith("topk: k=4 out of range for dim -1 of size 3", () -> Tensor.zeros(3).topk(4, -1, true, true));
        startsWith("split: sizes [1, 1] add up to 2, not the size 3 of dim 0", () -> Tensor.zeros(3).split(new int[] {1, 1}, 0));
        startsWith("stack: all tensors must have the same shape: [2] vs [3]", () -> Tensor.stack(0, Tensor.zeros(2), Tensor.zeros(3)));
        startsWith("softmax: expects a floating tensor, got int64", () -> Tensor.arange(3).softmax(0));
        startsWith("linalg_inv: matrix 0 of the batch [2, 2] is singular", () -> Linalg.inverse(Tensor.zeros(2, 2)));
        startsWith("of: 5 values do not fill shape [2, 3]", () -> Tensor.of(new float[5], 2, 3));
    }

    @Test
    void zeroDimTensorsHaveNoDimToIndex() {
        // torch 1.13 refuses these on tensor(3.): "select() cannot be applied to a 0-dim tensor", "Dimension
        // specified as 0 but tensor has no dimensions", "chunk expects at least a 1-dimensional tensor",
        // "zero-dimensional tensor (at position 0) cannot be concatenated"; squeeze(5) / flatten(0, 5) are out of range
        Tensor s = Tensor.scalar(3);
        startsWith("select: cannot be applied to a 0-dim tensor", () -> s.select(0, 0));
        startsWith("narrow: cannot be applied to a 0-dim tensor", () -> s.narrow(0, 0, 1));
        startsWith("slice: cannot be applied to a 0-dim tensor", () -> s.slice(0, 0, 1, 1));
        startsWith("size: cannot be applied to a 0-dim tensor", () -> s.size(0));
        startsWith("stride: cannot be applied to a 0-dim tensor", () -> s.stride(-1));
        startsWith("split: cannot be applied to a 0-dim tensor", () -> s.split(1, 0));
        startsWith("chunk: cannot be applied to a 0-dim tensor", () -> s.chunk(2, 0));
        startsWith("cat: cannot be applied to a 0-dim tensor", () -> Tensor.cat(0, s, s));
        startsWith("squeeze: dim 5 out of range", () -> s.squeeze(5));
        startsWith("flatten: dim 5 out of range", () -> s.flatten(0, 5));
        // allowed by torch: squeeze(0), flatten(0, -1) and movedim(0, 0) of a 0-d tensor
        assertEquals(0, s.squeeze(0).dim());
        assertEquals(1, s.flatten(0, -1).dim());
        assertEquals(0, s.movedim(0, 0).dim());
    }
}
