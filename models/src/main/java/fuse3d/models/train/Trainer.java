package fuse3d.models.train;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.models.config.OptimizationConfig;
import fuse3d.models.detect.Batch;
import fuse3d.models.detect.Detector;
import fuse3d.models.detect.LossTerms;
import fuse3d.nn.Module;
import fuse3d.nn.PreciseBatchNorm;
import fuse3d.nn.checkpoint.TrainingCheckpoint;
import fuse3d.nn.optim.GradClip;
import fuse3d.nn.optim.LrSchedule;
import fuse3d.nn.optim.OpenPcdet;
import fuse3d.nn.optim.OpenPcdetOneCycle;
import fuse3d.nn.optim.OpenPcdetStepDecay;
import fuse3d.nn.optim.Optimizer;
import fuse3d.tensor.Generator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Trains a {@link Detector} as OpenPCDet's train_model: the optimizer and LR schedule of OPTIMIZATION
 * (build_optimizer / build_scheduler), per iteration the schedule set to the accumulated iteration, the loss terms'
 * sum back-propagated, the gradients clipped to GRAD_NORM_CLIP, one optimizer step. Around it: a progress line on
 * stderr, a CSV log written as it goes ({@value #LOG_FILE}: epoch, iteration, lr, every loss term, total,
 * seconds since this run started), a checkpoint written atomically after every epoch ({@code ckpt/checkpoint_epoch_<n>.safetensors}: model,
 * optimizer, schedule, epoch, iteration, the named generators and the data order's seed), and evaluation through an
 * {@link Evaluator} every N epochs and after the last.
 *
 * <p>Resuming loads the newest checkpoint of the output folder and continues with the same numbers: the data
 * order of an epoch is a function of the loader's seed and the epoch, every sample's augmentation of (seed, epoch,
 * index), and everything else random lives in the checkpointed generators. The CSV keeps the rows up to the
 * checkpoint and continues after them.
 */
public final class Trainer {
    /** The CSV log's name in the output folder. */
    public static final String LOG_FILE = "train_log.csv";
    private static final Pattern CKPT = Pattern.compile("checkpoint_epoch_(\\d+)\\.safetensors");

    /** Called to evaluate the model (in eval mode, without gradients) after an epoch (1-based). */
    @FunctionalInterface
    public interface Evaluator {
        void evaluate(Detector detector, int epoch) throws IOException;
    }

    /**
     * @param outDir     where the log and checkpoints go
     * @param evalEvery  evaluate every this many epochs (0: only after the last); ignored without an evaluator
     * @param evaluator  may be null
     * @param generators the model's own random generators (dropout, RoI sampling...) to checkpoint, by name
     * @param metadata   strings stored in every checkpoint (config name, ...)
     * @param progress   where the progress line goes (System.err)
     * @param terminal   whether {@code progress} is a terminal (in-place line) or a log (periodic lines)
     * @param stopAfter  stop after this epoch as if interrupted (0: run all NUM_EPOCHS)
     * @param preciseBn  before every evaluation and after the last epoch, recompute the BatchNorm statistics over
     *                   this many training batches ({@link PreciseBatchNorm}; 0: keep the running averages)
     * @param saveEverySeconds inside an epoch, write {@code ckpt/latest_model.safetensors} when this many seconds
     *                   have passed since the last checkpoint (OpenPCDet's ckpt_save_time_interval; 0: only per epoch)
     * @param stopAfterIteration stop right after this iteration as if interrupted (0: no such stop)
     */
    public record Options(Path outDir, int evalEvery, Evaluator evaluator, Map<String, Generator> generators, Map<String, String> metadata,
                          PrintStream progress, boolean terminal, int stopAfter, int preciseBn, double saveEverySeconds, long stopAfterIteration) {
        public Options {
            if (!(saveEverySeconds >= 0)) throw new IllegalArgumentException("Trainer: saveEverySeconds must be >= 0, got " + saveEverySeconds);
            if (stopAfterIteration < 0) throw new IllegalArgumentException("Trainer: stopAfterIteration must be >= 0, got " + stopAfterIteration);
            if (evalEvery < 0) throw new IllegalArgumentException("Trainer: evalEvery must be >= 0, got " + evalEvery);
            if (preciseBn < 0) throw new IllegalArgumentException("Trainer: preciseBn must be >= 0, got " + preciseBn);
            if (stopAfter < 0) throw new IllegalArgumentException("Trainer: stopAfter must be >= 0, got " + stopAfter);
            generators = Map.copyOf(generators);
            metadata = Map.copyOf(metadata);
        }

        /** Defaults: no evaluation, no generators, stderr (in place when it is a terminal), all epochs. */
        public static Options of(Path outDir) {
            return new Options(outDir, 0, null, Map.of(), Map.of(), System.err, ProgressBar.stderrIsTerminal(), 0, 0, 0, 0);
        }

        public Options withEvaluator(Evaluator e, int every) { return new Options(outDir, every, e, generators, metadata, progress, terminal, stopAfter, preciseBn, saveEverySeconds, stopAfterIteration); }

        public Options withGenerators(Map<String, Generator> g) { return new Options(outDir, evalEvery, evaluator, g, metadata, progress, terminal, stopAfter, preciseBn, saveEverySeconds, stopAfterIteration); }

        public Options withMetadata(Map<String, String> m) { return new Options(outDir, evalEvery, evaluator, generators, m, progress, terminal, stopAfter, preciseBn, saveEverySeconds, stopAfterIteration); }

        public Options withProgress(PrintStream p, boolean term) { return new Options(outDir, evalEvery, evaluator, generators, metadata, p, term, stopAfter, preciseBn, saveEverySeconds, stopAfterIteration); }

        public Options stoppingAfter(int epoch) { return new Options(outDir, evalEvery, evaluator, generators, metadata, progress, terminal, epoch, preciseBn, saveEverySeconds, stopAfterIteration); }

        public Options withPreciseBn(int batches) { return new Options(outDir, evalEvery, evaluator, generators, metadata, progress, terminal, stopAfter, batches, saveEverySeconds, stopAfterIteration); }

        /** Checkpoints inside an epoch every {@code seconds} ({@code latest_model}); 0: only at epoch ends. */
        public Options savingEvery(double seconds) {
            return new Options(outDir, evalEvery, evaluator, generators, metadata, progress, terminal, stopAfter, preciseBn, seconds, stopAfterIteration);
        }

        public Options stoppingAfterIteration(long iteration) {
            return new Options(outDir, evalEvery, evaluator, generators, metadata, progress, terminal, stopAfter, preciseBn, saveEverySeconds, iteration);
        }
    }

    /** What a run ended with. */
    public record Result(int epochsDone, long iterations, Map<String, Double> lastLosses, Path lastCheckpoint) {}

    private final Detector detector;
    private final OptimizationConfig config;
    private final DataLoader<?, Batch> loader;
    private final Options options;
    private final Optimizer optimizer;
    private final LrSchedule schedule;

    public Trainer(Detector detector, OptimizationConfig config, DataLoader<?, Batch> loader, Options options) {
        this.detector = detector;
        this.config = config;
        this.loader = loader;
        this.options = options;
        this.optimizer = buildOptimizer(detector.module(), config);
        this.schedule = buildSchedule(optimizer, config, loader.batchesPerEpoch());
    }

    public Optimizer optimizer() { return optimizer; }

    public LrSchedule schedule() { return schedule; }

    /** OpenPCDet's build_optimizer: adam_onecycle (AdamW, OptimWrapper semantics), adam, or sgd. */
    public static Optimizer buildOptimizer(Module model, OptimizationConfig c) {
        return switch (c.optimizer()) {
            case ADAM_ONECYCLE -> OpenPcdet.adamOneCycle(model, c.weightDecay(), OpenPcdet.BATCH_NORM);
            case ADAM -> OpenPcdet.adam(model, c.lr(), c.weightDecay());
            case SGD -> OpenPcdet.sgd(model, c.lr(), c.weightDecay(), c.momentum());
        };
    }

    /**
     * OpenPCDet's build_scheduler: one-cycle over NUM_EPOCHS x iterations per epoch for adam_onecycle, else step
     * decay at DECAY_STEP_LIST epochs with LR_CLIP and an optional cosine warmup of WARMUP_EPOCH epochs.
     */
    public static LrSchedule buildSchedule(Optimizer opt, OptimizationConfig c, int itersPerEpoch) {
        long total = (long) c.numEpochs() * itersPerEpoch;
        if (c.optimizer() == OptimizationConfig.OptimizerType.ADAM_ONECYCLE)
            return new OpenPcdetOneCycle(opt, total, c.lr(), c.moms(), c.divFactor(), c.pctStart());
        int[] epochs = c.decayStepList();
        long[] steps = new long[epochs.length];
        for (int i = 0; i < epochs.length; i++) steps[i] = (long) epochs[i] * itersPerEpoch;
        long warmup = c.lrWarmup() ? (long) c.warmupEpoch() * itersPerEpoch : 0;
        return new OpenPcdetStepDecay(opt, steps, c.lrDecay(), c.lrClip(), warmup, c.lr() / c.divFactor());
    }

    /** The checkpoint written inside an epoch ({@link Options#saveEverySeconds}); removed once a later epoch checkpoint exists. */
    public static final String LATEST = "latest_model.safetensors";

    /** The metadata key of a checkpoint written inside an epoch: the batches of its epoch already trained. */
    static final String BATCH_IN_EPOCH = "batch_in_epoch";

    /**
     * Where {@code --resume} continues: the checkpoint written inside an epoch when there is one (it is always the
     * newer: an epoch checkpoint removes it), else the newest epoch checkpoint, else null.
     */
    public static Path resumeCheckpoint(Path outDir) throws IOException {
        Path latest = outDir.resolve("ckpt").resolve(LATEST);
        return Files.exists(latest) ? latest : latestCheckpoint(outDir);
    }

    /** The newest {@code checkpoint_epoch_<n>.safetensors} of a run folder, or null. */
    public static Path latestCheckpoint(Path outDir) throws IOException {
        Path dir = outDir.resolve("ckpt");
        if (!Files.isDirectory(dir)) return null;
        Path best = null;
        int bestEpoch = -1;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Matcher m = CKPT.matcher(p.getFileName().toString());
                if (m.matches() && Integer.parseInt(m.group(1)) > bestEpoch) {
                    bestEpoch = Integer.parseInt(m.group(1));
                    best = p;
                }
            }
        }
        return best;
    }

    /**
     * What one optimisation step did: the loss terms' values and their total (read before backward), and how long
     * the forward pass (with those reads) and the whole step took.
     */
    public record Step(Map<String, Double> values, double total, long forwardNanos, long stepNanos) {}

    /**
     * One optimisation step, the one {@link #train} takes and the model benchmark times: zero the gradients, the
     * detector's losses on {@code batch}, backward, clip the gradient norm of {@code params} to {@code gradNormClip},
     * step. A non-finite total stops it before backward, naming {@code where} and the batch's frames.
     */
    public static Step step(Detector detector, List<Var> params, Optimizer optimizer, double gradNormClip, Batch batch, String where) {
        long t0 = System.nanoTime();
        detector.module().zeroGrad();
        LossTerms terms = detector.losses(batch);
        Var total = terms.total();
        Map<String, Double> values = terms.values();
        double totalValue = total.item();
        long t1 = System.nanoTime();
        if (!Double.isFinite(totalValue))
            throw new IllegalStateException("Trainer: loss is " + totalValue + " at " + where + " (frames "
                    + batch.frames().stream().map(f -> f.frameId()).toList() + "): " + values);
        total.backward();
        GradClip.clipGradNorm(params, gradNormClip);
        optimizer.step();
        return new Step(values, totalValue, t1 - t0, System.nanoTime() - t0);
    }

    /** Trains from scratch, or, with {@code resume}, from the newest checkpoint in the output folder (if any). */
    public Result train(boolean resume) throws IOException {
        Module model = detector.module();
        int epochs = config.numEpochs();
        int iters = loader.batchesPerEpoch();
        if (iters == 0) throw new IllegalStateException("Trainer: the loader yields no batch (fewer samples than the batch size?)");
        int startEpoch = 0;
        long iteration = 0;
        ProgressBar bar = new ProgressBar(options.progress(), options.terminal());
        Path ckptFile = resume ? resumeCheckpoint(options.outDir()) : null;
        int startBatch = 0;
        if (ckptFile != null) {
            TrainingCheckpoint ck = TrainingCheckpoint.load(ckptFile);
            checkDataOrder(ck, ckptFile);
            ck.restore(model, optimizer, schedule, options.generators());
            startEpoch = (int) ck.epoch();
            iteration = ck.iteration();
            String inEpoch = ck.metadata().get(BATCH_IN_EPOCH);
            if (inEpoch != null) startBatch = Integer.parseInt(inEpoch);
            bar.message("resumed from " + ckptFile + " (epoch " + startEpoch + (startBatch > 0 ? " + " + startBatch + " batches" : "")
                    + ", iteration " + iteration + ")");
        }
        Path log = options.outDir().resolve(LOG_FILE);
        Files.createDirectories(options.outDir());
        List<String> header = ckptFile != null ? truncateLog(log, iteration) : null;
        if (ckptFile == null) Files.deleteIfExists(log);
        int lastEpoch = options.stopAfter() > 0 ? Math.min(options.stopAfter(), epochs) : epochs;
        Map<String, Double> last = Map.of();
        Path lastCkpt = ckptFile;
        long t0 = System.nanoTime();
        long doneThisRun = 0;
        List<Var> params = model.parameters();
        try (BufferedWriter csv = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int epoch = startEpoch; epoch < lastEpoch; epoch++) {
                model.train();
                int first = epoch == startEpoch ? startBatch : 0;
                long lastSave = System.nanoTime();
                try (DataLoader<?, Batch>.Epoch batches = loader.epoch(epoch, first)) {
                    int it = first;
                    while (batches.hasNext()) {
                        Batch batch = batches.next();
                        schedule.setStep(iteration);
                        double lr = optimizer.paramGroups().get(0).get("lr");
                        Step done = step(detector, params, optimizer, config.gradNormClip(), batch, "epoch " + (epoch + 1) + " iteration " + (iteration + 1));
                        Map<String, Double> values = done.values();
                        double totalValue = done.total();
                        iteration++;
                        it++;
                        doneThisRun++;
                        double secs = (System.nanoTime() - t0) / 1e9;
                        if (header == null) {
                            header = new ArrayList<>(List.of("epoch", "iteration", "lr"));
                            header.addAll(values.keySet());
                            header.addAll(List.of("total", "seconds"));
                            csv.write(String.join(",", header));
                            csv.newLine();
                        } else if (!header.subList(3, header.size() - 2).equals(new ArrayList<>(values.keySet()))) {
                            throw new IllegalStateException("Trainer: loss terms changed from " + header.subList(3, header.size() - 2) + " to " + values.keySet());
                        }
                        StringBuilder row = new StringBuilder().append(epoch + 1).append(',').append(iteration).append(',').append(lr);
                        for (double v : values.values()) row.append(',').append(v);
                        row.append(',').append(totalValue).append(',').append(String.format(java.util.Locale.ROOT, "%.3f", secs));
                        csv.write(row.toString());
                        csv.newLine();
                        csv.flush();
                        double rate = doneThisRun / Math.max(secs, 1e-9);
                        long left = (long) (lastEpoch - epoch - 1) * iters + (iters - it);
                        bar.update(epoch + 1, epochs, it, iters, values, totalValue, lr, rate, left / rate);
                        last = values;
                        if (options.saveEverySeconds() > 0 && batches.hasNext() && (System.nanoTime() - lastSave) / 1e9 >= options.saveEverySeconds()) {
                            Map<String, String> meta = checkpointMetadata(iters, epochs);
                            meta.put(BATCH_IN_EPOCH, Integer.toString(it));
                            lastCkpt = options.outDir().resolve("ckpt").resolve(LATEST);
                            TrainingCheckpoint.save(lastCkpt, model, optimizer, schedule, epoch, iteration, options.generators(), meta);
                            lastSave = System.nanoTime();
                        }
                        if (options.stopAfterIteration() > 0 && iteration >= options.stopAfterIteration())
                            return new Result(epoch, iteration, last, lastCkpt);
                    }
                }
                boolean lastOfRun = epoch + 1 == epochs;
                boolean evaluate = options.evaluator() != null && (lastOfRun || (options.evalEvery() > 0 && (epoch + 1) % options.evalEvery() == 0));
                if (options.preciseBn() > 0 && (evaluate || lastOfRun)) {
                    // before the checkpoint, so that a resumed run and a straight one see the same statistics
                    try (DataLoader<?, Batch>.Epoch batches = loader.epoch(epoch)) {
                        int n = PreciseBatchNorm.recompute(model, options.preciseBn(), () -> {
                            if (!batches.hasNext()) return false;
                            detector.losses(batches.next());
                            return true;
                        });
                        bar.message("precise BN: statistics of " + n + " training batches");
                    }
                }
                lastCkpt = options.outDir().resolve("ckpt").resolve("checkpoint_epoch_" + (epoch + 1) + ".safetensors");
                TrainingCheckpoint.save(lastCkpt, model, optimizer, schedule, epoch + 1, iteration, options.generators(), checkpointMetadata(iters, epochs));
                // the in-epoch checkpoint is older now; resuming from it would redo work (correctly, but needlessly)
                Files.deleteIfExists(options.outDir().resolve("ckpt").resolve(LATEST));
                if (evaluate) {
                    model.eval();
                    try (GradMode.Scope ignored = GradMode.noGrad()) {
                        options.evaluator().evaluate(detector, epoch + 1);
                    } finally {
                        model.train();
                    }
                }
            }
        }
        return new Result(lastEpoch, iteration, last, lastCkpt);
    }

    /** What every checkpoint records beside the state: the caller's metadata and the data order it was trained in. */
    private Map<String, String> checkpointMetadata(int iters, int epochs) {
        Map<String, String> meta = new LinkedHashMap<>(options.metadata());
        meta.put("loader_seed", Long.toString(loader.seed()));
        meta.put("batch_size", Integer.toString(loader.batchSize()));
        meta.put("batches_per_epoch", Integer.toString(iters));
        meta.put("num_epochs", Integer.toString(epochs));
        return meta;
    }

    private void checkDataOrder(TrainingCheckpoint ck, Path file) {
        Map<String, String> m = ck.metadata();
        String[][] expect = {{"loader_seed", Long.toString(loader.seed())}, {"batch_size", Integer.toString(loader.batchSize())},
                {"batches_per_epoch", Integer.toString(loader.batchesPerEpoch())}, {"num_epochs", Integer.toString(config.numEpochs())}};
        for (String[] e : expect)
            if (m.containsKey(e[0]) && !m.get(e[0]).equals(e[1]))
                throw new IllegalArgumentException("Trainer: cannot resume from " + file + ": it was trained with " + e[0] + " " + m.get(e[0])
                        + ", this run has " + e[1]);
    }

    /** Keeps the header and the rows up to {@code iteration} (a run cut short after its last checkpoint wrote more). */
    private static List<String> truncateLog(Path log, long iteration) throws IOException {
        if (!Files.exists(log)) return null;
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        if (lines.isEmpty()) return null;
        List<String> keep = new ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", 3);
            if (f.length >= 2 && Long.parseLong(f[1]) <= iteration) keep.add(l);
        }
        fuse3d.tensor.io.AtomicFiles.write(log, out -> out.write((String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8)));
        return List.of(lines.get(0).split(","));
    }
}
