package fuse3d.data.viz;

import fuse3d.tensor.Tensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A bird's-eye view of one frame as PNG: LiDAR points coloured by intensity or height, GT boxes and detections as
 * rotated rectangles with a heading tick (detections with their score), a legend with the points' colour bar, and
 * metric axes (x to the right, y upwards, ticks in metres).
 *
 * <p>Points and boxes are in one frame (the LiDAR frame for KITTI, see {@link BevBox#ofKitti}); {@link View} says
 * which region is shown and at what scale.
 */
public final class BevPicture {
    /** Ground truth: green; detections: magenta-red. Both stand out from the blue-white points on the dark plot. */
    public static final Color GT_COLOUR = new Color(40, 220, 60);
    public static final Color DET_COLOUR = new Color(255, 60, 110);
    static final Color PLOT_BACKGROUND = new Color(18, 20, 28);

    /** What the points' colour encodes. */
    public enum PointColour { INTENSITY, HEIGHT }

    /**
     * The region shown (metres, in the points' frame), the scale, and the colouring of the points over
     * {@code [valueMin, valueMax]} (NaN: intensity 0..1, or 0..255 when any point is brighter than 1; height -2.5..1.5 m),
     * and the axis titles, which say what the frame's axes mean.
     */
    public record View(double xMin, double xMax, double yMin, double yMax, double pixelsPerMetre, PointColour colour, double valueMin,
                       double valueMax, String xTitle, String yTitle) {
        public View {
            if (!(xMax > xMin) || !(yMax > yMin) || !(pixelsPerMetre > 0))
                throw new IllegalArgumentException("BevPicture.View: need xMax > xMin, yMax > yMin, pixelsPerMetre > 0");
        }

        /** KITTI's usual detection range in its LiDAR frame (x forward, y left): x 0..70.4 m, y -40..40 m, 10 px per metre. */
        public static View kitti() {
            return new View(0, 70.4, -40, 40, 10, PointColour.INTENSITY, Double.NaN, Double.NaN, "x (m, forward)", "y (m, left)");
        }

        /**
         * nuScenes' detection range around the sensor: -54..54 m both ways, 7 px per metre. nuScenes' LIDAR_TOP frame has
         * x to the right and y forward; the ego frame x forward: the titles name neither.
         */
        public static View nuscenes() { return new View(-54, 54, -54, 54, 7, PointColour.INTENSITY, Double.NaN, Double.NaN, "x (m)", "y (m)"); }

        public View withColour(PointColour c) { return new View(xMin, xMax, yMin, yMax, pixelsPerMetre, c, valueMin, valueMax, xTitle, yTitle); }

        public View withTitles(String x, String y) { return new View(xMin, xMax, yMin, yMax, pixelsPerMetre, colour, valueMin, valueMax, x, y); }
    }

    private static final int LEFT = 70, TOP = 46, RIGHT = 230, BOTTOM = 62;

    private final View view;
    private final Canvas.Axes axes;

    public BevPicture(View view) {
        this.view = view;
        int w = (int) Math.round((view.xMax() - view.xMin()) * view.pixelsPerMetre());
        int h = (int) Math.round((view.yMax() - view.yMin()) * view.pixelsPerMetre());
        this.axes = new Canvas.Axes(LEFT, TOP, w, h, view.xMin(), view.xMax(), view.yMin(), view.yMax());
    }

    public int width() { return LEFT + axes.width() + RIGHT; }

    public int height() { return TOP + axes.height() + BOTTOM; }

    /** The pixel (column, row) where a point (x, y) of the frame lands. */
    public int[] pixelOf(double x, double y) { return new int[] {(int) Math.floor(axes.px(x)), (int) Math.floor(axes.py(y))}; }

    /** Renders from a point tensor [N, >=3] (x, y, z, and intensity in column 3 when present). */
    public BufferedImage render(String title, Tensor points, List<BevBox> gt, List<BevBox> detections) {
        int cols = points.size(-1);
        return render(title, points.contiguous().toFloat().toFloatArray(), cols, gt, detections);
    }

    /**
     * Renders the frame.
     *
     * @param points row-major [N, stride] (x, y, z, intensity, ...); stride 3 has no intensity (points are coloured by height)
     */
    public BufferedImage render(String title, float[] points, int stride, List<BevBox> gt, List<BevBox> detections) {
        if (stride < 3 || points.length % stride != 0)
            throw new IllegalArgumentException("BevPicture.render: points must be [N, >=3] row-major, got " + points.length + " values, stride " + stride);
        PointColour mode = stride < 4 ? PointColour.HEIGHT : view.colour();
        double lo = view.valueMin(), hi = view.valueMax();
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            if (mode == PointColour.HEIGHT) {
                lo = -2.5;
                hi = 1.5;
            } else {
                float max = 0;
                for (int i = 3; i < points.length; i += stride) max = Math.max(max, points[i]);
                lo = 0;
                hi = max > 1 ? 255 : 1;
            }
        }
        BufferedImage im = Canvas.page(width(), height());
        Graphics2D g = Canvas.graphics(im, false);
        Canvas.Axes a = axes;
        g.setColor(PLOT_BACKGROUND);
        g.fillRect(a.left(), a.top(), a.width(), a.height());
        // points straight into the raster: 100k+ points per frame, one pixel each
        int col = mode == PointColour.HEIGHT ? 2 : 3;
        for (int i = 0; i + stride <= points.length; i += stride) {
            double px = a.px(points[i]), py = a.py(points[i + 1]);
            if (!(px >= a.left() && px < a.left() + a.width() && py >= a.top() && py < a.top() + a.height())) continue;
            im.setRGB((int) px, (int) py, ramp((points[i + col] - lo) / (hi - lo)).getRGB());
        }
        Canvas.drawFrameAndTicks(g, a, Canvas.ticks(a.xMin(), a.xMax(), Math.max(4, a.width() / 90)),
                Canvas.ticks(a.yMin(), a.yMax(), Math.max(4, a.height() / 90)));
        g.setFont(Canvas.FONT);
        g.setColor(Canvas.INK);
        FontMetrics fm = g.getFontMetrics();
        String xt = view.xTitle(), yt = view.yTitle();
        g.drawString(xt, a.left() + (a.width() - fm.stringWidth(xt)) / 2, a.top() + a.height() + 42);
        var saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yt, -(a.top() + (a.height() + fm.stringWidth(yt)) / 2), a.left() - 44);
        g.setTransform(saved);
        Canvas.drawTitle(g, title, a.left() + a.width() / 2, 28);

        g.setClip(a.left(), a.top(), a.width(), a.height());
        for (BevBox b : gt) drawBox(g, b, GT_COLOUR);
        for (BevBox b : detections) drawBox(g, b, DET_COLOUR);
        g.setFont(Canvas.SMALL);
        for (BevBox b : detections) if (b.hasScore()) drawScore(g, b);
        g.setClip(null);

        int lx = a.left() + a.width() + 16, ly = a.top();
        ly += Canvas.drawLegend(g, lx, ly, List.of("ground truth (" + gt.size() + ")", "detection (" + detections.size() + ")"),
                List.of(GT_COLOUR, DET_COLOUR), Canvas.Mark.BOX) + 18;
        drawColourBar(g, lx, ly, mode == PointColour.HEIGHT ? "point height z (m)" : "point intensity", lo, hi);
        g.dispose();
        return im;
    }

    /** Renders and writes atomically. */
    public void write(Path file, String title, Tensor points, List<BevBox> gt, List<BevBox> detections) throws IOException {
        Canvas.write(file, render(title, points, gt, detections));
    }

    private void drawBox(Graphics2D g, BevBox b, Color colour) {
        double[][] c = b.corners();
        Path2D.Double p = new Path2D.Double();
        p.moveTo(axes.px(c[0][0]), axes.py(c[0][1]));
        for (int i = 1; i < 4; i++) p.lineTo(axes.px(c[i][0]), axes.py(c[i][1]));
        p.closePath();
        g.setColor(colour);
        g.setStroke(new BasicStroke(2f));
        g.draw(p);
        // heading tick: from the centre to the middle of the front edge
        double fx = (c[0][0] + c[1][0]) / 2, fy = (c[0][1] + c[1][1]) / 2;
        g.draw(new Line2D.Double(axes.px(b.x()), axes.py(b.y()), axes.px(fx), axes.py(fy)));
    }

    private void drawScore(Graphics2D g, BevBox b) {
        double top = Double.POSITIVE_INFINITY, right = Double.NEGATIVE_INFINITY;
        for (double[] c : b.corners()) {
            top = Math.min(top, axes.py(c[1]));
            right = Math.max(right, axes.px(c[0]));
        }
        String s = Canvas.fmt("%.2f", b.score());
        g.setColor(DET_COLOUR);
        g.drawString(s, (float) right + 2, (float) top - 1);
    }

    private static void drawColourBar(Graphics2D g, int x, int y, String label, double lo, double hi) {
        g.setColor(Canvas.INK);
        g.setFont(Canvas.FONT);
        g.drawString(label, x, y);
        int barW = 22, barH = 200, top = y + 10;
        for (int i = 0; i < barH; i++) {
            g.setColor(ramp(1 - i / (double) (barH - 1)));
            g.fillRect(x, top + i, barW, 1);
        }
        g.setColor(Canvas.INK);
        g.drawRect(x, top, barW, barH);
        g.setFont(Canvas.SMALL);
        List<Double> ticks = Canvas.ticks(lo, hi, 4);
        for (double v : ticks) {
            int py = (int) Math.round(top + (hi - v) / (hi - lo) * (barH - 1));
            g.drawLine(x + barW, py, x + barW + 4, py);
            g.drawString(Canvas.tickLabel(v, ticks), x + barW + 7, py + 4);
        }
    }

    /** Dark blue through cyan to white: readable on the dark plot, and far from the boxes' green and red. */
    static Color ramp(double t) {
        t = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t));
        double[][] stops = {{40, 70, 160}, {40, 160, 230}, {150, 230, 255}, {255, 255, 255}};
        double s = t * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) s);
        double f = s - i;
        return new Color((int) Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                (int) Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])), (int) Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
    }
}
