package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.models.detect.NmsConfig;
import fuse3d.models.detect.Rois;
import fuse3d.sparse.box.ResidualCoder;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Properties of the dense stage over random scenes drawn from a seed. */
class DenseProperties {
    private static final double[] ONES = {1, 1, 1, 1, 1, 1, 1};

    /** Random labelled boxes [1, m, 8] over the fixtures' range, classes 1..2, continuous so IoU ties do not occur. */
    private static float[][] randomGt(Random r, int m) {
        float[][] rows = new float[m][];
        for (int i = 0; i < m; i++) {
            boolean car = r.nextBoolean();
            rows[i] = new float[] {(float) (r.nextDouble() * 6), (float) (r.nextDouble() * 8 - 4), (float) (r.nextDouble() - 1),
                    (float) ((car ? 3.9 : 0.8) * (0.7 + 0.6 * r.nextDouble())), (float) ((car ? 1.6 : 0.6) * (0.7 + 0.6 * r.nextDouble())),
                    (float) (1.5 + 0.3 * r.nextDouble()), (float) ((r.nextDouble() * 2 - 1) * Math.PI), car ? 1 : 2};
        }
        return rows;
    }

    private static Tensor pack(List<float[]> rows) {
        float[] f = new float[rows.size() * 8];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, f, i * 8, 8);
        return Tensor.ofFloats(f, 1, rows.size(), 8);
    }

    @Property(tries = 40, seed = "20261123")
    void assignmentDoesNotDependOnTheOrderOfTheBoxes(@ForAll long seed) {
        Random r = new Random(seed);
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 2);
        List<float[]> rows = new ArrayList<>(List.of(randomGt(r, 1 + r.nextInt(5))));
        AnchorTargets a = head.assignTargets(pack(rows), new Generator(1));
        Collections.shuffle(rows, r);
        rows.add(r.nextInt(rows.size() + 1), new float[8]); // a padding row anywhere
        AnchorTargets b = head.assignTargets(pack(rows), new Generator(1));
        assertArrayEquals(a.boxClsLabels().toIntArray(), b.boxClsLabels().toIntArray());
        assertArrayEquals(a.boxRegTargets().toFloatArray(), b.boxRegTargets().toFloatArray());
        assertArrayEquals(a.regWeights().toFloatArray(), b.regWeights().toFloatArray());
    }

    @Property(tries = 40, seed = "20261123")
    void decodingTheTargetsGivesTheBoxesBackWithTheirHeadingModuloTwoPi(@ForAll long seed) {
        Random r = new Random(seed);
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 2);
        Tensor anchors = head.anchors();
        int n = anchors.size(0);
        float[] gt = new float[n * 7];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < 3; d++) gt[i * 7 + d] = (float) (anchors.getDouble(i, d) + r.nextGaussian() * 0.5);
            for (int d = 3; d < 6; d++) gt[i * 7 + d] = (float) (anchors.getDouble(i, d) * Math.exp(r.nextGaussian() * 0.2));
            gt[i * 7 + 6] = (float) ((r.nextDouble() * 2 - 1) * Math.PI * 2);
        }
        Tensor gtT = Tensor.ofFloats(gt, n, 7);
        Tensor codes = new ResidualCoder().encode(gtT, anchors).reshape(1, n, 7);
        long[] bins = AnchorHeadSingle.directionTargets(codes, anchors, 0.78539, 2);
        float[] dir = new float[n * 2];
        for (int i = 0; i < n; i++) dir[i * 2 + (int) bins[i]] = 1;
        AnchorHeadOutput out = new AnchorHeadOutput(Var.of(Tensor.zeros(1, 2, 3, 8)), Var.of(codes.reshape(1, 2, 3, 28)), Var.of(Tensor.ofFloats(dir, 1, 2, 3, 8)));
        Tensor boxes = head.generatePredictedBoxes(out).batchBoxPreds().select(0, 0);
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < 6; d++) assertEquals(gt[i * 7 + d], boxes.getDouble(i, d), 1e-4 * (1 + Math.abs(gt[i * 7 + d])));
            double dh = boxes.getDouble(i, 6) - gt[i * 7 + 6];
            assertEquals(0, Math.sin(dh), 1e-4);
            assertEquals(1, Math.cos(dh), 1e-4);
            // and the heading lies in the bins' span [dir_offset, dir_offset + 2 pi)
            assertTrue(boxes.getDouble(i, 6) >= 0.78539 - 1e-5 && boxes.getDouble(i, 6) < 0.78539 + 2 * Math.PI + 1e-5);
        }
    }

    @Property(tries = 40, seed = "20261123")
    void proposalSlotsAreSortedAndPaddedWithZeros(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(30), c = 1 + r.nextInt(3), slots = 1 + r.nextInt(20);
        float[] cls = new float[2 * n * c], boxes = new float[2 * n * 7];
        for (int i = 0; i < cls.length; i++) cls[i] = (float) r.nextGaussian();
        for (int i = 0; i < 2 * n; i++) {
            boxes[i * 7] = (float) (r.nextDouble() * 20);
            boxes[i * 7 + 1] = (float) (r.nextDouble() * 20);
            boxes[i * 7 + 3] = 1 + r.nextFloat() * 3;
            boxes[i * 7 + 4] = 1 + r.nextFloat();
            boxes[i * 7 + 5] = 1.5f;
            boxes[i * 7 + 6] = (float) (r.nextDouble() * Math.PI);
        }
        Rois rois = ProposalLayer.propose(Tensor.ofFloats(cls, 2, n, c), Tensor.ofFloats(boxes, 2, n, 7), new NmsConfig(false, "nms_gpu", 0.5, 100, slots));
        for (int b = 0; b < 2; b++) {
            int[] labels = rois.labels().select(0, b).toIntArray();
            float[] s = rois.scores().select(0, b).toFloatArray();
            int filled = 0;
            while (filled < slots && labels[filled] > 0) filled++;
            assertTrue(filled >= 1, "the best box always survives");
            for (int k = 1; k < filled; k++) assertTrue(s[k] <= s[k - 1]);
            for (int k = filled; k < slots; k++) {
                assertEquals(0, labels[k]);
                assertEquals(0f, s[k]);
                for (int d = 0; d < 7; d++) assertEquals(0, rois.boxes().getDouble(b, k, d));
            }
            for (int k = 0; k < filled; k++) assertTrue(labels[k] >= 1 && labels[k] <= c);
        }
    }
}
