package fuse3d.data.kitti;

import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A KITTI object-detection folder on disk, seen through one split, laid out as OpenPCDet expects:
 * <pre>
 * root/ImageSets/{train,val,trainval,test}.txt
 * root/training/{velodyne,calib,label_2,image_2,planes,velodyne_depth}/000000.{bin,txt,png}
 * root/testing/...   (used by the split named "test")
 * </pre>
 * Frame ids come from {@code ImageSets/<split>.txt}; when that file does not exist, from the velodyne folder
 * (sorted), so that a bare folder of frames also opens.
 */
public final class KittiDataset {
    private final Path root;
    private final String split;
    private final Path splitDir;
    private final List<String> ids;

    private KittiDataset(Path root, String split, Path splitDir, List<String> ids) {
        this.root = root;
        this.split = split;
        this.splitDir = splitDir;
        this.ids = ids;
    }

    /** Opens {@code root} for {@code split} ("train", "val", "test", ...; "test" reads the testing folder). */
    public static KittiDataset open(Path root, String split) throws IOException {
        Path dir = root.resolve("test".equals(split) ? "testing" : "training");
        Path list = root.resolve("ImageSets").resolve(split + ".txt");
        List<String> ids;
        if (Files.exists(list)) ids = KittiSplits.read(list);
        else {
            Path velo = dir.resolve("velodyne");
            if (!Files.isDirectory(velo))
                throw new KittiFormatException(String.valueOf(list), null, "no split file, and no velodyne folder " + velo + " to list frames from");
            try (Stream<Path> s = Files.list(velo)) {
                ids = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin")).map(n -> n.substring(0, n.length() - 4)).sorted().toList();
            }
        }
        return new KittiDataset(root, split, dir, List.copyOf(ids));
    }

    /** The same folder and split restricted to {@code frameIds}, in the given order; each must belong to the split. */
    public KittiDataset subset(List<String> frameIds) {
        java.util.Set<String> have = new java.util.HashSet<>(ids);
        for (String id : frameIds)
            if (!have.contains(id)) throw new IllegalArgumentException("KittiDataset.subset: frame " + id + " is not in split " + split + " of " + root);
        return new KittiDataset(root, split, splitDir, List.copyOf(frameIds));
    }

    public Path root() { return root; }

    public String split() { return split; }

    /** The training or testing folder this split reads. */
    public Path splitDir() { return splitDir; }

    /** Frame ids in split order. */
    public List<String> ids() { return ids; }

    public Path velodynePath(String id) { return splitDir.resolve("velodyne").resolve(id + ".bin"); }

    public Path calibPath(String id) { return splitDir.resolve("calib").resolve(id + ".txt"); }

    public Path labelPath(String id) { return splitDir.resolve("label_2").resolve(id + ".txt"); }

    public Path imagePath(String id) { return splitDir.resolve("image_2").resolve(id + ".png"); }

    public Path planePath(String id) { return splitDir.resolve("planes").resolve(id + ".txt"); }

    public Path depthPath(String id) { return splitDir.resolve("velodyne_depth").resolve(id + ".png"); }

    /** LiDAR points [N, 4] (x, y, z, reflectance). */
    public Tensor points(String id) throws IOException { return KittiLidar.read(velodynePath(id)); }

    public KittiCalibration calib(String id) throws IOException { return KittiCalibFiles.read(calibPath(id)); }

    /** Whether the frame has a label file (the testing split has none). */
    public boolean hasLabels(String id) { return Files.exists(labelPath(id)); }

    public List<KittiObject> labels(String id) throws IOException { return KittiLabels.read(labelPath(id)); }

    public KittiImages.RgbImage image(String id) throws IOException { return KittiImages.readRgb(imagePath(id)); }

    /** (height, width) of the colour image. */
    public int[] imageShape(String id) throws IOException { return KittiImages.shape(imagePath(id)); }

    /** The road plane as OpenPCDet uses it (normal up, unit length), or null when the frame has no plane file. */
    public RoadPlane plane(String id) throws IOException {
        Path p = planePath(id);
        return Files.exists(p) ? RoadPlane.read(p).upwardUnit() : null;
    }

    /** The depth-completion map of the frame ({@code velodyne_depth/<id>.png}). */
    public KittiImages.DepthMap depth(String id) throws IOException { return KittiImages.readDepth(depthPath(id)); }
}
