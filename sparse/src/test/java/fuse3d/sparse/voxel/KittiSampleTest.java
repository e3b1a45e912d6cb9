package fuse3d.sparse.voxel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
/**
 * Voxelization of a real KITTI frame (velodyne 000000, shared sample data), when that data is on this machine;
 * skipped otherwise. Checks the laws that hold on any scan and that hard and dynamic voxelization agree.
 */
class KittiSampleTest {
    static final String FRAME_PATH = "kitti/training/velodyne/000000.bin";
    static final Path FRAME = SampleData.find(FRAME_PATH).orElse(Path.of(FRAME_PATH));

    static Tensor read() throws Exception {
        byte[] raw = Files.readAllBytes(FRAME);
        float[] f = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return Tensor.of(f, f.length / 4, 4);
    }

    @Test
    void hardAndDynamicVoxelizationAgreeOnARealScan() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(FRAME), SampleData.missing(FRAME_PATH));
        Tensor pts = read();
        assertEquals(115_384, pts.size(0));
        VoxelGrid grid = VoxelGrid.kitti();
        Voxels hard = new Voxelizer(grid, 64, 200_000).voxelize(pts);
        VoxelFeatures dyn = new DynamicMeanVFE(4, grid).forward(Tensor.cat(1, Tensor.zeros(pts.size(0), 1), pts));
        assertEquals(hard.count(), dyn.count());
        int kept = java.util.Arrays.stream(hard.numPoints().toIntArray()).sum();
        // every point in the range and no others; KITTI's range keeps the front half of the scan
        int inRange = 0;
        float[] p = pts.toFloatArray();
        for (int i = 0; i < pts.size(0); i++) if (grid.cell(p[i * 4], 0) >= 0 && grid.cell(p[i * 4 + 1], 1) >= 0 && grid.cell(p[i * 4 + 2], 2) >= 0) inRange++;
        assertEquals(inRange, kept);
        Tensor mean = new MeanVFE(4).forward(Var.of(hard.voxels()), hard.numPoints()).data();
        assertEquals(mean.sum().item(), dyn.features().data().sum().item(), 1e-3 * Math.abs(mean.sum().item()));
        // the training caps of OpenPCDet's KITTI config (5 points, 16000 voxels) are reached on a real frame
        Voxels capped = new Voxelizer(grid, 5, 16_000).voxelize(pts);
        assertEquals(16_000, capped.count());
        assertTrue(capped.numPoints().toIntArray()[0] >= 1);
    }
}
