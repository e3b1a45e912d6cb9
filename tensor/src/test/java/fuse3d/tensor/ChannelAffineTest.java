package fuse3d.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** F.channelAffine (BatchNorm's x · scale + shift per channel) equals the broadcast mul-then-add bit for bit. */
class ChannelAffineTest {
    @Test
    void handCase() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor y = F.channelAffine(x, Tensor.vector(2, -1), Tensor.vector(0.5f, 10));
        assertArrayEquals(new float[] {2.5f, 4.5f, 6.5f, 6, 5, 4}, y.toFloatArray());
        Tensor rows = F.channelAffine(Tensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2), Tensor.vector(2, 3), Tensor.vector(1, 1));
        assertArrayEquals(new float[] {3, 7, 7, 13}, rows.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> F.channelAffine(x, Tensor.vector(1, 2, 3), Tensor.vector(1, 2)));
    }

    @Property(tries = 60)
    void equalsMulThenAdd(@ForAll long seed) {
        Generator g = new Generator(seed);
        int rank = 2 + (int) g.nextLong(3);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = 1 + (int) g.nextLong(i == 1 ? 20 : 6);
        int[] per = new int[rank];
        java.util.Arrays.fill(per, 1);
        per[1] = s[1];
        Tensor x = g.normal(0, 3, s), scale = g.normal(0, 2, per), shift = g.normal(0, 2, per);
        Tensor strided = x.transpose(0, rank - 1).contiguous().transpose(0, rank - 1);
        float[] expected = x.mul(scale).add(shift).toFloatArray();
        assertArrayEquals(expected, F.channelAffine(x, scale, shift).toFloatArray());
        assertArrayEquals(expected, F.channelAffine(strided, scale.reshape(s[1]), shift).toFloatArray());
        assertArrayEquals(x.toDouble().mul(scale.toDouble()).add(shift.toDouble()).toDoubleArray(),
                F.channelAffine(x.toDouble(), scale.toDouble(), shift.toDouble()).toDoubleArray());
    }
}
