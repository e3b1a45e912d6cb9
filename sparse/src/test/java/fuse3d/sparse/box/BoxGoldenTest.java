package fuse3d.sparse.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.ops.Args;
import fuse3d.tensor.testing.Closeness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays golden/box.safetensors, written by tests/golden/sparse/gen_box.py from plain torch/numpy restatements of
 * OpenPCDet's box utilities (its docstring lists each reference): corners, rotated BEV and 3D IoU (computed there
 * by a different polygon method), nearest BEV IoU, NMS and its config wrappers, the two coders, CenterPoint's
 * targets, anchors, the augmentations and the axis-aligned DIoU with its gradient.
 */
class BoxGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Map<String, Tensor> all;
    private static Map<String, String> meta;

    @BeforeAll
    static void load() throws Exception {
        Path file = Path.of(BoxGoldenTest.class.getResource("/golden/box.safetensors").toURI());
        all = TensorIO.readSafeTensors(file);
        meta = new TreeMap<>(SafeTensors.readMetadata(file));
    }

    @TestFactory
    List<DynamicTest> cases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, String> e : meta.entrySet())
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> replay(e.getKey(), e.getValue())));
        return tests;
    }

    private static Tensor in(String c, int i) { return all.get(c + "/in" + i); }

    private static Tensor out(String c, int i) { return all.get(c + "/out" + i); }

    @SuppressWarnings("unchecked")
    private static void replay(String c, String json) throws Exception {
        Map<String, Object> spec = JSON.readValue(json, Map.class);
        Args a = new Args((Map<String, Object>) spec.get("args"));
        String op = (String) spec.get("op");
        switch (op) {
            case "corners3d" -> close(BoxGeometry.corners3d(in(c, 0)), out(c, 0), 1e-5, 1e-5, c);
            case "iou_bev" -> close(RotatedIoU.iouBev(in(c, 0), in(c, 1)), out(c, 0), 1e-5, 1e-6, c);
            case "iou3d" -> close(RotatedIoU.iou3d(in(c, 0), in(c, 1)), out(c, 0), 1e-9, 1e-12, c);
            case "nearest_bev_iou" -> close(RotatedIoU.nearestBevIou(in(c, 0), in(c, 1)), out(c, 0), 1e-9, 1e-12, c);
            case "nms" -> assertArrayEquals(out(c, 0).toLongArray(), Nms.nms(in(c, 0), in(c, 1), a.getDouble("thresh", 0)).toLongArray(), c);
            case "class_agnostic_nms" -> {
                Nms.Config cfg = Nms.Config.of("nms_gpu", a.getDouble("nms_thresh", 0), a.getInt("nms_pre_maxsize", 0), a.getInt("nms_post_maxsize", 0));
                Nms.Selected s = Nms.classAgnosticNms(in(c, 1), in(c, 0), cfg, a.getDouble("score_thresh", 0));
                assertArrayEquals(out(c, 0).toLongArray(), s.indices().toLongArray(), c);
            }
            case "multi_classes_nms" -> {
                Nms.Config cfg = Nms.Config.of("nms_gpu", a.getDouble("nms_thresh", 0), a.getInt("nms_pre_maxsize", 0), a.getInt("nms_post_maxsize", 0));
                Nms.MultiClass m = Nms.multiClassesNms(in(c, 0), in(c, 1), cfg, a.getDouble("score_thresh", 0));
                assertArrayEquals(out(c, 0).toLongArray(), m.indices().toLongArray(), c);
                assertArrayEquals(out(c, 1).toLongArray(), m.labels().toLongArray(), c);
            }
            case "residual_coder" -> {
                boolean sincos = a.getBool("encode_angle_by_sincos", false);
                ResidualCoder coder = new ResidualCoder(in(c, 0).size(1), sincos);
                Tensor enc = coder.encode(in(c, 0), in(c, 1));
                close(enc, out(c, 0), 1e-5, 1e-5, c + " encode");
                close(coder.decode(out(c, 0), in(c, 1)), out(c, 1), 1e-5, 1e-5, c + " decode");
            }
            case "point_residual_coder" -> {
                double[][] mean = a.getBool("use_mean_size", false) ? toRows(in(c, 3)) : null;
                PointResidualCoder coder = new PointResidualCoder(7, mean);
                close(coder.encode(in(c, 0), in(c, 1), in(c, 2)), out(c, 0), 1e-5, 1e-5, c + " encode");
                close(coder.decode(out(c, 0), in(c, 1), in(c, 2)), out(c, 1), 1e-5, 1e-5, c + " decode");
            }
            case "gaussian_radius" -> close(CenterPointTargets.gaussianRadius(in(c, 0), in(c, 1), a.getDouble("min_overlap", 0.5)), out(c, 0), 1e-6, 1e-6, c);
            case "center_targets" -> {
                CenterPointTargets.Targets t = CenterPointTargets.assignTargetOfSingleHead(a.getInt("num_classes", 0), in(c, 0),
                        a.getInts("feature_map_size"), a.getInt("feature_map_stride", 0), a.getDoubles("point_cloud_range"), a.getDoubles("voxel_size"),
                        a.getInt("num_max_objs", 0), a.getDouble("gaussian_overlap", 0), a.getInt("min_radius", 0));
                close(t.heatmap(), out(c, 0), 0, 0, c + " heatmap");
                close(t.retBoxes(), out(c, 1), 1e-6, 1e-6, c + " ret_boxes");
                assertArrayEquals(out(c, 2).toLongArray(), t.inds().toLongArray(), c + " inds");
                assertArrayEquals(out(c, 3).toLongArray(), t.mask().toLongArray(), c + " mask");
                close(t.retBoxesSrc(), out(c, 4), 0, 0, c + " src");
            }
            case "anchors" -> {
                double[][] sizes = ((List<List<Number>>) a.values().get("anchor_sizes")).stream()
                        .map(l -> l.stream().mapToDouble(Number::doubleValue).toArray()).toArray(double[][]::new);
                AnchorGenerator.Config cfg = new AnchorGenerator.Config(sizes, a.getDoubles("anchor_rotations"), a.getDoubles("anchor_bottom_heights"),
                        a.getBool("align_center", false), 1);
                AnchorGenerator gen = new AnchorGenerator(a.getDoubles("anchor_range"), List.of(cfg));
                Tensor anchors = gen.generate(List.of(a.getInts("grid_size"))).get(0);
                // torch's float32 arange fills SIMD lanes from a float base (bits depend on the lane width of the CPU
                // that wrote the fixture); the grid positions agree to a float32 rounding of the coordinates
                close(anchors, out(c, 0), 1e-6, 1e-5, c);
            }
            case "flip_x" -> scene(BoxAugmentor.flipAlongX(in(c, 0), in(c, 1)), c);
            case "flip_y" -> scene(BoxAugmentor.flipAlongY(in(c, 0), in(c, 1)), c);
            case "rotation" -> scene(BoxAugmentor.globalRotation(in(c, 0), in(c, 1), a.getDouble("angle", 0)), c);
            case "scaling" -> scene(BoxAugmentor.globalScaling(in(c, 0), in(c, 1), a.getDouble("scale", 1)), c);
            case "aligned_diou" -> {
                Var pred = Var.leaf(in(c, 0));
                Var d = RotatedIoULoss.alignedDiou3d(pred, Var.of(in(c, 1)));
                d.sum().backward();
                close(d.data(), out(c, 0), 1e-10, 1e-12, c + " value");
                close(pred.grad(), out(c, 1), 1e-9, 1e-12, c + " grad");
            }
            default -> throw new AssertionError("unknown golden op " + op + " in case " + c);
        }
    }

    private static void scene(BoxAugmentor.Scene s, String c) {
        close(s.boxes(), out(c, 0), 1e-12, 1e-12, c + " boxes");
        close(s.points(), out(c, 1), 1e-12, 1e-12, c + " points");
    }

    private static double[][] toRows(Tensor t) {
        double[][] r = new double[t.size(0)][];
        for (int i = 0; i < r.length; i++) r[i] = t.select(0, i).contiguous().toDoubleArray();
        return r;
    }

    private static void close(Tensor actual, Tensor expected, double rtol, double atol, String what) {
        assertEquals(expected.dtype() == DType.FLOAT64 ? DType.FLOAT64 : expected.dtype(), actual.dtype(), what + " dtype");
        Closeness.assertClose(actual, expected, rtol, atol, false, what);
    }
}
