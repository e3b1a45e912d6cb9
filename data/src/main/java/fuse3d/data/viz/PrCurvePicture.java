package fuse3d.data.viz;

import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import fuse3d.data.nuscenes.DetectionMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Precision-recall curves as PNG: KITTI per class, overlap set and metric with one curve per difficulty (from
 * {@link KittiEvalResult}'s 41-point arrays), and nuScenes per class with one curve per distance threshold (from
 * {@link DetectionMetrics}' 101-point curves).
 *
 * <p>KITTI's precision slot {@code i} belongs to the score threshold picked at recall {@code i / 40} (the official
 * recall sampling), so it is drawn at recall {@code i / 40}, as the KITTI devkit's plots do; slots past the highest
 * recall reached are 0 and the curve drops there. nuScenes' curves are drawn on their own recall axis, with the
 * devkit's min-recall and min-precision lines (the area outside them does not count towards AP) dashed.
 */
public final class PrCurvePicture {
    private PrCurvePicture() {}

    public static final int WIDTH = 720, HEIGHT = 520;
    /** Easy, moderate, hard: Okabe-Ito green, blue and vermilion, which colour-blind readers tell apart. */
    public static final Color[] DIFFICULTY_COLOURS = {new Color(0, 158, 115), new Color(0, 114, 178), new Color(213, 94, 0)};
    /** One colour per nuScenes distance threshold, in the config's order (0.5, 1, 2, 4 m). */
    public static final Color[] DISTANCE_COLOURS = {new Color(213, 94, 0), new Color(230, 159, 0), new Color(0, 114, 178), new Color(0, 158, 115)};

    /** The plot area of every PR picture: recall 0..1 across, precision 0..1.05 up (the headroom keeps a line at 1 off the frame). */
    static final Canvas.Axes AXES = new Canvas.Axes(80, 50, WIDTH - 80 - 30, HEIGHT - 50 - 70, 0, 1, 0, 1.05);

    /** Pixel (column, row) of a recall / precision point, for tests and overlays. */
    public static int[] pixelOf(double recall, double precision) {
        return new int[] {(int) Math.floor(AXES.px(recall)), (int) Math.floor(AXES.py(precision))};
    }

    /** The KITTI curves of one class, overlap set and metric: easy, moderate and hard, with their R40 and R11 APs. */
    public static BufferedImage kitti(KittiEvalResult r, String cls, Overlap set, Metric metric) {
        double[][] prec = new double[3][];
        for (Difficulty d : Difficulty.values()) prec[d.ordinal()] = r.precision(cls, set, metric, d);
        if (prec[0] == null)
            throw new IllegalArgumentException("PrCurvePicture.kitti: " + metric.key + " was not computed (the detections carry no alpha)");
        double[] ov = r.minOverlaps(cls, set);
        double thr = metric == Metric.BEV ? ov[1] : metric == Metric.THREE_D ? ov[2] : ov[0];
        String title = Canvas.fmt("KITTI %s  %s  %s overlap %.2f", cls, metric.key.toUpperCase(Locale.ROOT), set.key, thr);
        List<String> labels = new ArrayList<>();
        List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
        String[] names = {"Easy", "Moderate", "Hard"};
        for (Difficulty d : Difficulty.values()) {
            double[] p = prec[d.ordinal()];
            double[] x = new double[p.length];
            for (int i = 0; i < p.length; i++) x[i] = i / (double) (p.length - 1);
            xs.add(x);
            ys.add(p);
            labels.add(Canvas.fmt("%-8s AP_R40 %6.2f   AP_R11 %6.2f", names[d.ordinal()], r.ap(cls, set, Protocol.R40, metric, d),
                    r.ap(cls, set, Protocol.R11, metric, d)));
        }
        String yTitle = metric == Metric.AOS ? "orientation similarity" : "precision";
        return draw(title, yTitle, xs, ys, labels, List.of(DIFFICULTY_COLOURS), Double.NaN, Double.NaN);
    }

    /** The nuScenes curves of one class: one per distance threshold, with its AP (percent). */
    public static BufferedImage nuscenes(DetectionMetrics m, String cls) {
        Map<Double, DetectionMetrics.MetricData> curves = m.curves().get(cls);
        if (curves == null) throw new IllegalArgumentException("PrCurvePicture.nuscenes: class '" + cls + "' was not evaluated (have "
                + m.curves().keySet() + ")");
        List<String> labels = new ArrayList<>();
        List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        int k = 0;
        for (var e : curves.entrySet()) {
            xs.add(e.getValue().recall());
            ys.add(e.getValue().precision());
            labels.add(Canvas.fmt("dist %.1f m   AP %6.2f", e.getKey(), 100 * m.labelAps().get(cls).get(e.getKey())));
            colours.add(DISTANCE_COLOURS[k++ % DISTANCE_COLOURS.length]);
        }
        String title = Canvas.fmt("nuScenes %s  (mean AP %.2f)", cls, 100 * m.meanDistAps().get(cls));
        return draw(title, "precision", xs, ys, labels, colours, m.cfg().minRecall(), m.cfg().minPrecision());
    }

    /**
     * Every KITTI curve into {@code dir} as {@code pr_<Class>_<metric>_<set>.png} (aos only when computed); returns the
     * files in the order written.
     */
    public static List<Path> writeKitti(Path dir, KittiEvalResult r) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String cls : r.classes())
            for (Overlap set : Overlap.values())
                for (Metric m : Metric.values()) {
                    if (m == Metric.AOS && !r.aosComputed()) continue;
                    Path f = dir.resolve("pr_" + cls + "_" + m.key + "_" + set.key + ".png");
                    Canvas.write(f, kitti(r, cls, set, m));
                    out.add(f);
                }
        return out;
    }

    /** Every nuScenes class's curves into {@code dir} as {@code pr_<class>.png}; returns the files in class order. */
    public static List<Path> writeNuscenes(Path dir, DetectionMetrics m) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String cls : m.curves().keySet()) {
            Path f = dir.resolve("pr_" + cls + ".png");
            Canvas.write(f, nuscenes(m, cls));
            out.add(f);
        }
        return out;
    }

    /** Writes one picture as PNG, atomically. */
    public static void write(Path file, BufferedImage picture) throws IOException { Canvas.write(file, picture); }

    private static BufferedImage draw(String title, String yTitle, List<double[]> xs, List<double[]> ys, List<String> labels, List<Color> colours,
                                      double minRecall, double minPrecision) {
        BufferedImage im = Canvas.page(WIDTH, HEIGHT);
        Graphics2D g = Canvas.graphics(im, true);
        Canvas.Axes a = AXES;
        Canvas.drawAxes(g, a, "recall", yTitle, true);
        Canvas.drawTitle(g, title, a.left() + a.width() / 2, 30);
        if (!Double.isNaN(minRecall)) {
            // the devkit's AP ignores recall below min_recall and precision below min_precision: mark both limits
            g.setColor(new Color(140, 140, 140));
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f}, 0f));
            g.draw(new Line2D.Double(a.px(minRecall), a.top(), a.px(minRecall), a.top() + a.height()));
            g.draw(new Line2D.Double(a.left(), a.py(minPrecision), a.left() + a.width(), a.py(minPrecision)));
        }
        g.setClip(a.left(), a.top(), a.width() + 1, a.height() + 1);
        // the last curve first, so the first (easy; the tightest threshold) lies on top where curves coincide
        for (int c = xs.size() - 1; c >= 0; c--) {
            double[] x = xs.get(c), y = ys.get(c);
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < x.length; i++) {
                if (i == 0) path.moveTo(a.px(x[i]), a.py(y[i]));
                else path.lineTo(a.px(x[i]), a.py(y[i]));
            }
            g.setColor(colours.get(c));
            g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
        }
        g.setClip(null);
        g.setFont(Canvas.FONT);
        // curves fall towards the bottom right; the bottom left of a PR plot is where nothing is drawn
        int legendH = (labels.size() * (g.getFontMetrics().getHeight() + 4)) + 8;
        g.setFont(new java.awt.Font(java.awt.Font.MONOSPACED, java.awt.Font.PLAIN, 12));
        drawMonoLegend(g, a.left() + 12, a.top() + a.height() - legendH - 12, labels, colours);
        g.dispose();
        return im;
    }

    /** The legend in a monospaced font, so the AP columns line up. */
    private static void drawMonoLegend(Graphics2D g, int x, int y, List<String> labels, List<Color> colours) {
        var fm = g.getFontMetrics();
        int row = fm.getHeight() + 4, w = 0;
        for (String s : labels) w = Math.max(w, fm.stringWidth(s));
        g.setColor(new Color(255, 255, 255, 235));
        g.fillRect(x, y, w + 50, labels.size() * row + 8);
        g.setColor(new Color(160, 160, 160));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, w + 50, labels.size() * row + 8);
        for (int i = 0; i < labels.size(); i++) {
            int cy = y + 4 + i * row + row / 2;
            g.setColor(colours.get(i));
            g.setStroke(new BasicStroke(3f));
            g.draw(new Line2D.Double(x + 8, cy, x + 36, cy));
            g.setColor(Canvas.INK);
            g.drawString(labels.get(i), x + 44, cy + fm.getAscent() / 2 - 1);
        }
    }
}
