package fuse3d.models.train;

import fuse3d.data.augment.AugmentScene;
import fuse3d.data.augment.AugmentStep;
import fuse3d.data.augment.DataAugmentor;
import fuse3d.data.augment.GtSampler;
import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiGtDatabase;
import fuse3d.data.kitti.KittiInfo;
import fuse3d.data.kitti.KittiInfos;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.kitti.RoadPlane;
import fuse3d.models.config.DataConfig;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.FrameInfo;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A KITTI split as a detector's training or evaluation data, OpenPCDet's KittiDataset.__getitem__ plus
 * prepare_data: per frame the LiDAR points (restricted to the camera's field of view when FOV_POINTS_ONLY), the
 * labelled boxes in the LiDAR frame, the augmentation of DATA_AUGMENTOR in training, the data processor's range
 * mask, shuffle and voxelization, collated into a {@link Batch}.
 *
 * <p>Labels: DontCare lines are dropped, the camera boxes are turned into LiDAR boxes with the frame's calibration,
 * and every other object takes part in augmentation (GT sampling avoids all of them) before the boxes of classes
 * outside CLASS_NAMES are dropped, as OpenPCDet's gt_boxes_mask. OpenPCDet's KITTI path keeps GT boxes that hold
 * no points; so does this. In training a frame left with no box is replaced by another frame drawn at random, as
 * OpenPCDet does. Every random draw of sample {@code i} in epoch {@code e} comes from a generator seeded by
 * {@code (seed, e, i)}, so a sample is the same whichever thread makes it and in whatever order. For the same
 * reason GT sampling uses a fresh sampler per sample (OpenPCDet's sampler walks one permutation per worker
 * process; here each sample draws its own permutation, which samples the database the same way).
 */
public final class KittiDetectionDataset implements DataLoader.Source<KittiDetectionDataset.Sample> {
    private final KittiDataset dataset;
    private final List<String> classNames;
    private final DataConfig config;
    private final boolean training;
    private final long seed;
    private final int[] usedColumns;
    private final Voxelizer voxelizer;
    private final Map<String, List<KittiGtDatabase.DbInfo>> dbInfos;
    private final GtSampler.Config samplerConfig;
    /** GT sampling's USE_ROAD_PLANE: pasted objects stand on the frame's road plane ({@code planes/}). */
    private final boolean useRoadPlane;

    /**
     * One prepared frame.
     *
     * @param points  float32 [N, C] in the LiDAR frame, the used features
     * @param gtBoxes float32 [M, 8] (x, y, z, dx, dy, dz, heading, 1-based class id), or null without labels
     * @param voxels  the frame's voxels (coords [V, 3])
     * @param frame   id, calibration and image size, to turn boxes back into label files
     */
    public record Sample(String frameId, Tensor points, Tensor gtBoxes, Voxels voxels, FrameInfo frame) {}

    /**
     * @param classNames CLASS_NAMES, class id 1 first
     * @param training   augmentation, training voxel cap and shuffle; GT boxes outside the range dropped
     * @param seed       the root of every sample's random draws
     */
    public KittiDetectionDataset(KittiDataset dataset, List<String> classNames, DataConfig config, boolean training, long seed) throws IOException {
        if (classNames.isEmpty()) throw new IllegalArgumentException("KittiDetectionDataset: CLASS_NAMES is empty");
        this.dataset = dataset;
        this.classNames = List.copyOf(classNames);
        this.config = config;
        this.training = training;
        this.seed = seed;
        DataConfig.PointFeatureEncoding enc = config.pointFeatureEncoding();
        this.usedColumns = enc.usedColumns();
        this.voxelizer = new Voxelizer(new VoxelGrid(config.pointCloudRange(), config.voxelSize()), config.maxPointsPerVoxel(),
                config.maxNumberOfVoxels(training));
        DataConfig.AugConfig gt = training ? config.dataAugmentor().enabled().stream().filter(a -> a.name().equals("gt_sampling")).findFirst().orElse(null) : null;
        this.useRoadPlane = gt != null && Boolean.TRUE.equals(gt.useRoadPlane());
        if (gt != null) {
            this.dbInfos = KittiGtDatabase.read(ensureGtDatabase(dataset.root(), gt));
            Map<String, Integer> minPoints = GtSampler.Config.parse(gt.prepare() == null ? List.of() : gt.prepare().filterByMinPoints());
            Set<Integer> removed = new HashSet<>(gt.prepare() == null ? List.of() : gt.prepare().filterByDifficulty());
            this.samplerConfig = new GtSampler.Config(GtSampler.Config.parse(gt.sampleGroups()), minPoints, removed,
                    Boolean.TRUE.equals(gt.limitWholeScene()), gt.removeExtraWidth());
        } else {
            this.dbInfos = null;
            this.samplerConfig = null;
        }
    }

    /**
     * The db infos file GT sampling reads: DB_INFO_PATH's first entry relative to the dataset root (a ".pkl" name is
     * read as Fuse3D's ".json" twin), built from the "train" split with {@link KittiGtDatabase} when absent, as
     * OpenPCDet's create_kitti_infos step would have.
     */
    static synchronized Path ensureGtDatabase(Path root, DataConfig.AugConfig gt) throws IOException {
        Path file = KittiGtDatabase.dbInfosPath(root, "train");
        if (gt.dbInfoPath() != null && !gt.dbInfoPath().isEmpty()) {
            String name = gt.dbInfoPath().get(0);
            if (name.endsWith(".pkl")) name = name.substring(0, name.length() - 4) + ".json";
            file = root.resolve(name);
        }
        if (Files.exists(file)) return file;
        KittiDataset train = KittiDataset.open(root, "train");
        List<KittiInfo> infos = KittiInfos.create(train);
        Map<String, List<KittiGtDatabase.DbInfo>> db = KittiGtDatabase.create(train, infos, null);
        if (!file.equals(KittiGtDatabase.dbInfosPath(root, "train"))) KittiGtDatabase.write(file, db);
        return file;
    }

    @Override
    public int size() { return dataset.ids().size(); }

    @Override
    public String frameId(int index) { return dataset.ids().get(index); }

    public boolean training() { return training; }

    public List<String> classNames() { return classNames; }

    public DataConfig config() { return config; }

    public KittiDataset dataset() { return dataset; }

    /** The generator of sample {@code index} in {@code epoch}: a function of (seed, epoch, index) alone. */
    public Generator generator(int epoch, int index) { return new Generator(mix(mix(seed, epoch), index)); }

    /** SplitMix64 of a combined key: decorrelates neighbouring seeds. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Sample {@code index} of {@code epoch} (the epoch only matters in training). */
    @Override
    public Sample get(int index, int epoch) {
        Generator gen = generator(epoch, index);
        int i = index;
        for (int attempt = 0; ; attempt++) {
            Sample s = prepare(dataset.ids().get(i), gen);
            if (!training || s.gtBoxes().size(0) > 0 || attempt >= 100) return s;
            i = (int) gen.nextLong(size());
        }
    }

    private Sample prepare(String id, Generator gen) {
        try {
            Tensor raw = dataset.points(id);
            KittiCalibration calib = dataset.calib(id);
            int[] hw = dataset.imageShape(id);
            int needed = java.util.Arrays.stream(usedColumns).max().orElse(-1) + 1; // a used feature past the file's columns
            if (raw.size(1) < needed)
                throw new IllegalArgumentException("KittiDetectionDataset: " + dataset.velodynePath(id) + " has " + raw.size(1)
                        + " features, used_feature_list reads column " + (needed - 1) + " of src_feature_list");
            Tensor points = raw;
            if (config.fovPointsOnly()) points = selectRows(points, KittiInfos.fovMask(points, calib, hw));
            points = selectColumns(points, usedColumns);
            boolean labelled = dataset.hasLabels(id);
            Tensor boxes = Tensor.zeros(DType.FLOAT64, 0, 7);
            List<String> names = List.of();
            if (labelled) {
                List<KittiObject> objects = new ArrayList<>();
                for (KittiObject o : dataset.labels(id)) if (!o.isDontCare()) objects.add(o);
                names = objects.stream().map(KittiObject::type).toList();
                if (!objects.isEmpty()) {
                    double[] cam = new double[objects.size() * 7];
                    for (int k = 0; k < objects.size(); k++) System.arraycopy(objects.get(k).cameraBox(), 0, cam, k * 7, 7);
                    boxes = calib.boxesCameraToLidar(Tensor.of(cam, objects.size(), 7)).toDouble();
                }
            }
            AugmentScene scene = augmentor(gen, road(id, calib)).apply(new AugmentScene(points, boxes, names), gen);
            Tensor gt = null;
            if (labelled) gt = classBoxes(scene.gtBoxes(), scene.gtNames());
            Tensor pts = scene.points().toFloat().contiguous();
            Voxels vox = voxelizer.voxelize(pts);
            return new Sample(id, pts, gt, vox, new FrameInfo(id, calib, hw[0], hw[1]));
        } catch (IOException e) {
            throw new UncheckedIOException("KittiDetectionDataset: frame " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The frame's road for GT sampling with USE_ROAD_PLANE (its {@code planes/} file), or null when not asked for;
     * asked for and missing is an error naming the file and the key.
     */
    private GtSampler.Road road(String id, KittiCalibration calib) throws IOException {
        if (!useRoadPlane) return null;
        RoadPlane plane = dataset.plane(id);
        if (plane == null)
            throw new IllegalArgumentException("KittiDetectionDataset: gt_sampling has USE_ROAD_PLANE: True but " + dataset.planePath(id)
                    + " does not exist (KITTI's road planes come as a separate download; or set USE_ROAD_PLANE: False)");
        return (x, y, z) -> plane.lidarHeightBelow(calib, x, y, z);
    }

    /**
     * The steps for one sample: augmentation (training), heading wrap, range mask and shuffle as configured; GT
     * sampling stands pasted objects on {@code road} (null: at the height they had in their own frame).
     */
    DataAugmentor augmentor(Generator gen, GtSampler.Road road) {
        List<AugmentStep> steps = new ArrayList<>();
        if (training) {
            for (DataConfig.AugConfig a : config.dataAugmentor().enabled()) {
                switch (a.name()) {
                    case "gt_sampling" -> steps.add(new AugmentStep.GtSampling(
                            GtSampler.fromDatabase(dataset.root(), dbInfos, classNames, samplerConfig), road));
                    case "random_world_flip" -> steps.add(new AugmentStep.RandomWorldFlip(a.alongAxisList()));
                    case "random_world_rotation" -> steps.add(new AugmentStep.RandomWorldRotation(a.worldRotAngle()[0], a.worldRotAngle()[1]));
                    case "random_world_scaling" -> steps.add(new AugmentStep.RandomWorldScaling(a.worldScaleRange()[0], a.worldScaleRange()[1]));
                    case "random_world_translation" -> steps.add(new AugmentStep.RandomWorldTranslation(a.noiseTranslateStd()));
                    default -> throw new IllegalStateException("unreachable: " + a.name());
                }
            }
            steps.add(new AugmentStep.LimitHeading(0.5, 2 * Math.PI));
        }
        Boolean removeBoxes = config.removeOutsideBoxes();
        // OpenPCDet removes boxes outside the range only in training; points always
        if (removeBoxes != null) steps.add(new AugmentStep.MaskPointsAndBoxesOutsideRange(config.pointCloudRange(), removeBoxes && training, 1, true));
        if (config.shufflePoints(training)) steps.add(new AugmentStep.ShufflePoints());
        return new DataAugmentor(steps);
    }

    /** Boxes of the configured classes with their 1-based class id appended: float32 [M, 8]. */
    private Tensor classBoxes(Tensor boxes, List<String> names) {
        double[] b = boxes.contiguous().toDoubleArray();
        int c = boxes.size(1), m = boxes.size(0);
        float[] out = new float[m * 8];
        int k = 0;
        for (int i = 0; i < m; i++) {
            int cls = classNames.indexOf(names.get(i));
            if (cls < 0) continue;
            for (int d = 0; d < 7; d++) out[k * 8 + d] = (float) b[i * c + d];
            out[k * 8 + 7] = cls + 1;
            k++;
        }
        return Tensor.ofFloats(java.util.Arrays.copyOf(out, k * 8), k, 8);
    }

    static Tensor selectRows(Tensor t, boolean[] mask) {
        int c = t.size(1), n = 0;
        float[] src = t.contiguous().toFloatArray();
        float[] out = new float[src.length];
        for (int i = 0; i < mask.length; i++) if (mask[i]) System.arraycopy(src, i * c, out, n++ * c, c);
        return Tensor.ofFloats(java.util.Arrays.copyOf(out, n * c), n, c);
    }

    static Tensor selectColumns(Tensor t, int[] cols) {
        int n = t.size(0), c = t.size(1);
        boolean identity = cols.length == c;
        for (int j = 0; j < cols.length && identity; j++) identity = cols[j] == j;
        if (identity) return t.toFloat().contiguous();
        float[] src = t.contiguous().toFloatArray();
        float[] out = new float[n * cols.length];
        for (int i = 0; i < n; i++) for (int j = 0; j < cols.length; j++) out[i * cols.length + j] = src[i * c + cols[j]];
        return Tensor.ofFloats(out, n, cols.length);
    }

    /**
     * OpenPCDet's collate_batch: points get their frame index as a first column, voxel coordinates a batch column,
     * and the boxes are zero-padded to the frame with the most ([B, M, 8], M may be 0); gtBoxes is null when any
     * frame has no labels.
     */
    public static Batch collate(List<Sample> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("KittiDetectionDataset.collate: no samples");
        int b = samples.size();
        int c = samples.get(0).points().size(1);
        int total = 0, maxBoxes = 0;
        boolean labelled = true;
        List<Voxels> vox = new ArrayList<>(b);
        List<FrameInfo> frames = new ArrayList<>(b);
        for (Sample s : samples) {
            if (s.points().size(1) != c)
                throw new IllegalArgumentException("KittiDetectionDataset.collate: frame " + s.frameId() + " has " + s.points().size(1)
                        + " point features, frame " + samples.get(0).frameId() + " has " + c);
            total += s.points().size(0);
            if (s.gtBoxes() == null) labelled = false;
            else maxBoxes = Math.max(maxBoxes, s.gtBoxes().size(0));
            vox.add(s.voxels());
            frames.add(s.frame());
        }
        float[] pts = new float[total * (c + 1)];
        int row = 0;
        for (int i = 0; i < b; i++) {
            float[] p = samples.get(i).points().contiguous().toFloatArray();
            int n = samples.get(i).points().size(0);
            for (int r = 0; r < n; r++, row++) {
                pts[row * (c + 1)] = i;
                System.arraycopy(p, r * c, pts, row * (c + 1) + 1, c);
            }
        }
        Tensor gt = null;
        if (labelled) {
            float[] g = new float[b * maxBoxes * 8];
            for (int i = 0; i < b; i++) {
                float[] src = samples.get(i).gtBoxes().contiguous().toFloatArray();
                System.arraycopy(src, 0, g, i * maxBoxes * 8, src.length);
            }
            gt = Tensor.ofFloats(g, b, maxBoxes, 8);
        }
        Voxels v = Voxels.collate(vox);
        return new Batch(b, Tensor.ofFloats(pts, total, c + 1), v.voxels().toFloat(), v.numPoints(), v.coords(), gt, frames);
    }
}
