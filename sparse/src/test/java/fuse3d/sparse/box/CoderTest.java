package fuse3d.sparse.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** ResidualCoder and PointResidualCoder (OpenPCDet box_coder_utils): by hand, round trips, gradients. */
class CoderTest {
    private static final double[][] MEAN = {{3.9, 1.6, 1.56}, {0.8, 0.6, 1.73}};

    @Test
    void residualByHand() {
        // anchor 3 x 4 (diagonal 5) x 2 at the origin; box 5 further in x, 1 up, sizes doubled, heading +0.5
        Tensor anchor = Tensor.of(new double[] {0, 0, 0, 3, 4, 2, 0.25}, 1, 7);
        Tensor box = Tensor.of(new double[] {5, -10, 1, 6, 8, 4, 0.75}, 1, 7);
        double l2 = Math.log(2);
        assertArrayEquals(new double[] {1, -2, 0.5, l2, l2, l2, 0.5}, new ResidualCoder().encode(box, anchor).toDoubleArray(), 1e-12);
        Tensor sc = new ResidualCoder(7, true).encode(box, anchor);
        assertArrayEquals(new int[] {1, 8}, sc.shape());
        assertEquals(Math.cos(0.75) - Math.cos(0.25), sc.getDouble(0, 6), 1e-12);
        assertEquals(Math.sin(0.75) - Math.sin(0.25), sc.getDouble(0, 7), 1e-12);
        assertEquals(8, new ResidualCoder(7, true).codeSize());
    }

    @Test
    void zeroSizesAreClampedNotInfinite() {
        Tensor anchor = Tensor.of(new double[] {0, 0, 0, 0, 4, 2, 0}, 1, 7);
        Tensor box = Tensor.of(new double[] {0, 0, 0, 0, 8, 0, 0}, 1, 7);
        double[] code = new ResidualCoder().encode(box, anchor).toDoubleArray();
        for (double v : code) assertTrue(Double.isFinite(v), "code " + java.util.Arrays.toString(code));
        // the input tensors are left unchanged
        assertEquals(0.0, box.getDouble(0, 3), 0);
    }

    @Property(tries = 40)
    void residualRoundTrip(@ForAll @IntRange(min = 0, max = 10000) int seed, @ForAll boolean sincos, @ForAll @IntRange(min = 7, max = 9) int cols) {
        Generator g = new Generator(seed);
        int n = 16;
        Tensor anchors = randomBoxes(g, n, cols), boxes = randomBoxes(g, n, cols);
        ResidualCoder coder = new ResidualCoder(cols, sincos);
        Tensor back = coder.decode(coder.encode(boxes, anchors), anchors);
        for (int i = 0; i < n; i++)
            for (int d = 0; d < cols; d++) {
                double want = boxes.getDouble(i, d), got = back.getDouble(i, d);
                if (d == 6 && sincos) assertEquals(0, BoxGeometry.limitPeriod(got - want, 0.5, 2 * Math.PI), 1e-9); // atan2 wraps into (-pi, pi]
                else assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)));
            }
    }

    @Test
    void residualBroadcastsAnchorsOverTheBatch() {
        Generator g = new Generator(1);
        Tensor anchors = randomBoxes(g, 5, 7), codes = g.normal(DType.FLOAT64, 0, 0.3, 2, 5, 7);
        Tensor out = new ResidualCoder().decode(codes, anchors.unsqueeze(0));
        assertArrayEquals(new int[] {2, 5, 7}, out.shape());
        assertArrayEquals(new ResidualCoder().decode(codes.select(0, 1), anchors).toDoubleArray(), out.select(0, 1).contiguous().toDoubleArray(), 1e-12);
    }

    @Test
    void gradcheckDecodeAndEncode() {
        Generator g = new Generator(3);
        Tensor anchors = randomBoxes(g, 4, 9), boxes = randomBoxes(g, 4, 9);
        for (boolean sincos : new boolean[] {false, true}) {
            ResidualCoder coder = new ResidualCoder(9, sincos);
            Tensor codes = coder.encode(boxes, anchors);
            Gradcheck.assertGradients("decode sincos=" + sincos, in -> List.of(coder.decode(in.get(0), in.get(1))), List.of(codes, anchors));
            Gradcheck.assertGradients("encode sincos=" + sincos, in -> List.of(coder.encode(in.get(0), in.get(1))), List.of(boxes, anchors));
        }
        PointResidualCoder pc = new PointResidualCoder(7, MEAN);
        Tensor b7 = randomBoxes(g, 4, 7), pts = b7.narrow(1, 0, 3).add(0.3).contiguous(), cls = Tensor.ofLongs(new long[] {1, 2, 2, 1}, 4);
        Tensor codes = pc.encode(b7, pts, cls);
        Gradcheck.assertGradients("point decode", in -> List.of(pc.decode(in.get(0), pts, cls)), List.of(codes));
        Gradcheck.assertGradients("point encode", in -> List.of(pc.encode(in.get(0), pts, cls)), List.of(b7));
    }

    @Test
    void pointResidualByHandAndRoundTrip() {
        Tensor box = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 0.5}, 1, 7), pt = Tensor.of(new double[] {0, 0, 1}, 1, 3);
        PointResidualCoder plain = new PointResidualCoder(7, null);
        assertArrayEquals(new double[] {1, 2, 2, Math.log(4), Math.log(5), Math.log(6), Math.cos(0.5), Math.sin(0.5)},
                plain.encode(box, pt, null).toDoubleArray(), 1e-12);
        Generator g = new Generator(5);
        Tensor boxes = randomBoxes(g, 10, 9), points = boxes.narrow(1, 0, 3).add(g.normal(DType.FLOAT64, 0, 0.5, 10, 3)).contiguous();
        long[] c = new long[10];
        for (int i = 0; i < 10; i++) c[i] = 1 + (i % 2);
        Tensor cls = Tensor.ofLongs(c, 10);
        for (PointResidualCoder coder : new PointResidualCoder[] {new PointResidualCoder(9, MEAN), new PointResidualCoder(9, null)}) {
            Tensor codes = coder.encode(boxes, points, cls);
            assertArrayEquals(new int[] {10, 10}, codes.shape());
            Tensor back = coder.decode(codes, points, cls);
            for (int i = 0; i < 10; i++)
                for (int d = 0; d < 9; d++) {
                    double diff = back.getDouble(i, d) - boxes.getDouble(i, d);
                    assertEquals(0, d == 6 ? BoxGeometry.limitPeriod(diff, 0.5, 2 * Math.PI) : diff, 1e-9);
                }
        }
    }

    @Test
    void errorsNameTheOp() {
        PointResidualCoder pc = new PointResidualCoder(7, MEAN);
        Tensor box = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 0.5}, 1, 7), pt = Tensor.of(new double[] {0, 0, 1}, 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pc.encode(box, pt, Tensor.ofLongs(new long[] {3}, 1)));
        assertTrue(e.getMessage().contains("class 3") && e.getMessage().contains("1-based"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pc.encode(box, pt, null));
        e = assertThrows(IllegalArgumentException.class, () -> new ResidualCoder().encode(Tensor.zeros(DType.FLOAT64, 2, 8), Tensor.zeros(DType.FLOAT64, 2, 8)));
        assertTrue(e.getMessage().contains("ResidualCoder.encode") && e.getMessage().contains("[2, 8]"), e.getMessage());
    }

    /** Boxes with sizes in [0.5, 4.5], headings in (-pi, pi), extras normal. */
    static Tensor randomBoxes(Generator g, int n, int cols) {
        double[] b = new double[n * cols];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < 3; d++) b[i * cols + d] = g.nextGaussian() * 10;
            for (int d = 3; d < 6; d++) b[i * cols + d] = 0.5 + 4 * g.nextDouble();
            b[i * cols + 6] = (g.nextDouble() * 2 - 1) * 3.1;
            for (int d = 7; d < cols; d++) b[i * cols + d] = g.nextGaussian();
        }
        return Tensor.of(b, n, cols);
    }
}
