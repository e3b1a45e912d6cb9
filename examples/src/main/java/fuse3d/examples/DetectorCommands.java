package fuse3d.examples;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.models.train.DataLoader;
import fuse3d.models.train.Inference;
import fuse3d.models.train.KittiDetectionDataset;
import fuse3d.models.train.KittiEvaluation;
import fuse3d.models.train.Trainer;
import fuse3d.models.voxelrcnn.VoxelRcnn;
import fuse3d.models.voxelrcnn.VoxelRcnnConfig;
import fuse3d.nn.Module;
import fuse3d.nn.checkpoint.CheckpointException;
import fuse3d.nn.checkpoint.OpenPcdetCheckpoint;
import fuse3d.nn.checkpoint.TrainingCheckpoint;
import fuse3d.tensor.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fuse3d train}, {@code fuse3d infer} and the model form of {@code fuse3d eval}: Voxel R-CNN on a KITTI-layout folder. */
final class DetectorCommands {
    private DetectorCommands() {}

    /** The options every model command shares: the config, its overrides, the data folder, threads and seed. */
    static final class ModelOptions {
        @Option(names = "--config", defaultValue = "voxel_rcnn_small",
                description = "a preset (voxel_rcnn_small, voxel_rcnn_car, voxel_rcnn_3classes) or a YAML file (default ${DEFAULT-VALUE})")
        String config;

        @Option(names = "--set", description = "override a config key, e.g. --set OPTIMIZATION.NUM_EPOCHS=3 (repeatable)")
        List<String> set = new ArrayList<>();

        @Option(names = "--data", description = "a KITTI-layout folder (ImageSets/, training/velodyne, calib, label_2, image_2)")
        Path data;

        @Option(names = "--workers", defaultValue = "1", description = "data loading threads (default ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--seed", defaultValue = "0", description = "seed of initialisation, data order and augmentation (default ${DEFAULT-VALUE})")
        long seed;

        VoxelRcnnConfig loadConfig() { return VoxelRcnnConfig.load(config, set); }

        /** The config's model, initialised from the seed, then given the checkpoint's weights when one is named. */
        VoxelRcnn model(VoxelRcnnConfig cfg, Path ckpt) throws IOException {
            VoxelRcnn net = new VoxelRcnn(cfg, new Generator(seed));
            if (ckpt != null) loadWeights(net, resolveCheckpoint(ckpt));
            return net;
        }

        /** The split of the --data folder, which must exist. */
        KittiDataset split(String split) throws IOException {
            if (data == null) throw new IllegalArgumentException("--data is required: a KITTI-layout folder");
            if (!Files.isDirectory(data)) throw new IOException(data + ": no such dataset folder");
            return KittiDataset.open(data, split);
        }

        KittiDetectionDataset dataset(VoxelRcnnConfig cfg, String split, boolean training) throws IOException {
            return dataset(cfg, split(split), training);
        }

        KittiDetectionDataset dataset(VoxelRcnnConfig cfg, KittiDataset frames, boolean training) throws IOException {
            return new KittiDetectionDataset(frames, cfg.classNames(), cfg.dataConfig(), training, seed);
        }
    }

    /**
     * Loads model weights from a Fuse3D training checkpoint or, failing that, an OpenPCDet checkpoint converted to
     * safetensors; a strict load, so missing or surplus keys are an error naming them.
     */
    static void loadWeights(Module model, Path ckpt) throws IOException {
        if (!Files.isRegularFile(ckpt)) throw new IOException(ckpt + ": no such checkpoint file");
        Map<String, fuse3d.tensor.Tensor> state;
        try {
            state = TrainingCheckpoint.load(ckpt).modelState();
        } catch (CheckpointException e) {
            Module.LoadReport r = OpenPcdetCheckpoint.loadModel(ckpt, model, true);
            if (!r.clean()) throw new IOException(ckpt + ": " + r);
            return;
        }
        Module.LoadReport r = model.loadStateDict(state, true);
        if (!r.clean()) throw new IOException(ckpt + ": the checkpoint does not fit the config's model: " + r);
    }

    /** A checkpoint path, or the newest checkpoint of a training output folder. */
    static Path resolveCheckpoint(Path ckpt) throws IOException {
        if (Files.isDirectory(ckpt)) {
            Path latest = Trainer.latestCheckpoint(ckpt);
            if (latest == null) throw new IOException(ckpt + ": no checkpoint_epoch_<n>.safetensors under " + ckpt.resolve("ckpt"));
            return latest;
        }
        return ckpt;
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Trains Voxel R-CNN on a KITTI-layout folder: progress with loss terms, it/s and ETA; train_log.csv; a checkpoint every epoch; "
                    + "KITTI evaluation every --eval-every epochs and at the end.")
    static final class Train implements Callable<Integer> {
        @Mixin ModelOptions model;

        @Option(names = "--out", required = true, description = "output folder (train_log.csv, ckpt/, eval/)") Path out;

        @Option(names = "--resume", description = "continue from the newest checkpoint in --out with identical numbers") boolean resume;

        @Option(names = "--ckpt", description = "initial weights (a checkpoint file) instead of a fresh initialisation") Path ckpt;

        @Option(names = "--eval-every", defaultValue = "0", description = "evaluate every N epochs (0: only at the end; default ${DEFAULT-VALUE})")
        int evalEvery;

        @Option(names = "--precise-bn", defaultValue = "16",
                description = "recompute BatchNorm statistics over N training batches before each evaluation and the last checkpoint (0: off; default ${DEFAULT-VALUE})")
        int preciseBn;

        @Option(names = "--save-seconds", defaultValue = "300",
                description = "inside an epoch, checkpoint to ckpt/latest_model.safetensors every N seconds, so --resume loses"
                        + " at most that much (OpenPCDet's ckpt_save_time_interval; 0: only at epoch ends; default ${DEFAULT-VALUE})")
        double saveSeconds;

        @Option(names = "--train-split", defaultValue = "train") String trainSplit;

        @Option(names = "--val-split", defaultValue = "val", description = "evaluation split; 'none' to skip evaluation") String valSplit;

        @Override
        public Integer call() throws Exception {
            VoxelRcnnConfig cfg = model.loadConfig();
            VoxelRcnn net = model.model(cfg, ckpt);
            KittiDetectionDataset train = model.dataset(cfg, trainSplit, true);
            Trainer.Options opt = Trainer.Options.of(out).withGenerators(net.generators())
                    .withMetadata(Map.of("config", model.config, "overrides", String.join(";", model.set))).withPreciseBn(preciseBn)
                    .savingEvery(saveSeconds);
            if (!valSplit.equals("none"))
                opt = opt.withEvaluator(KittiEvaluation.evaluator(model.dataset(cfg, valSplit, false), cfg.optimization().batchSizePerGpu(), model.workers,
                        out, System.err), evalEvery);
            Files.createDirectories(out);
            try (DataLoader<KittiDetectionDataset.Sample, fuse3d.models.detect.Batch> loader = DataLoader.of(train, cfg.optimization().batchSizePerGpu(),
                    model.seed, model.workers)) {
                Trainer.Result r = new Trainer(net, cfg.optimization(), loader, opt).train(resume);
                System.out.printf("trained %d epochs, %d iterations; last checkpoint %s%n", r.epochsDone(), r.iterations(), r.lastCheckpoint());
            }
            return 0;
        }
    }

    /** {@code fuse3d eval --config --data --ckpt --out}: the KITTI evaluation of a trained model. */
    static int evaluate(ModelOptions model, Path ckpt, Path out, String split, int batch) throws Exception {
        VoxelRcnnConfig cfg = model.loadConfig();
        VoxelRcnn net = model.model(cfg, ckpt);
        KittiEvaluation.Result r = KittiEvaluation.run(net, model.dataset(cfg, split, false), batch, model.workers, out, net.newRecallAccumulator(),
                System.err);
        if (r.metrics() != null) r.metrics().printTable(System.out);
        else System.out.println("eval: split " + split + " has no labels; detections written under " + out);
        r.recall().forEach((k, v) -> System.out.printf("%s: %.6f%n", k, v));
        return 0;
    }

    @Command(name = "infer", mixinStandardHelpOptions = true,
            description = "Runs a trained Voxel R-CNN over frames and writes KITTI label files (labels/) and BEV pictures (bev/) with detections and, "
                    + "where labels exist, ground truth.")
    static final class Infer implements Callable<Integer> {
        @Mixin ModelOptions model;

        @Option(names = "--ckpt", required = true, description = "a checkpoint file, or a training output folder (its newest checkpoint)") Path ckpt;

        @Option(names = "--out", required = true, description = "output folder") Path out;

        @Option(names = "--split", defaultValue = "val", description = "the split whose frames to run (default ${DEFAULT-VALUE})") String split;

        @Option(names = "--frames", split = ",", description = "only these frame ids (comma separated)") List<String> frames;

        @Option(names = "--score-thresh", defaultValue = "0.3", description = "leave out detections below this score (default ${DEFAULT-VALUE})")
        double scoreThresh;

        @Override
        public Integer call() throws Exception {
            VoxelRcnnConfig cfg = model.loadConfig();
            VoxelRcnn net = model.model(cfg, ckpt);
            KittiDataset ds = model.split(split);
            if (frames != null && !frames.isEmpty()) ds = ds.subset(frames);
            KittiDetectionDataset data = model.dataset(cfg, ds, false);
            List<Inference.FrameOutput> done = Inference.run(net, data, 1, model.workers, out, scoreThresh, System.err);
            for (Inference.FrameOutput f : done) System.out.printf("%s: %d detections -> %s, %s%n", f.frameId(), f.detections(), f.labelFile(), f.picture());
            return 0;
        }
    }
}
