package fuse3d.data.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Line charts of training curves as PNG: loss terms against iterations (raw values faint, a moving average on
 * top) and metrics against epochs, on a linear or a log10 y axis.
 */
public final class CurvePicture {
    private CurvePicture() {}

    public static final int WIDTH = 820, HEIGHT = 520;

    static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
            new Color(230, 159, 0), new Color(86, 180, 233), new Color(120, 120, 120), new Color(240, 228, 66)};

    /** One named curve: x and y of equal length; NaN or infinite points are skipped. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length)
                throw new IllegalArgumentException("CurvePicture.Series " + name + ": " + x.length + " x values for " + y.length + " y values");
        }
    }

    /**
     * Draws the series.
     *
     * @param smoothWindow moving-average window in points (1: no smoothing); with a window above 1 the raw values
     *                     are drawn thin and pale under their average
     * @param logY         log10 y axis (every drawn y must then be positive; others are skipped)
     */
    public static BufferedImage lines(String title, String xTitle, String yTitle, List<Series> series, int smoothWindow, boolean logY) {
        if (series.isEmpty()) throw new IllegalArgumentException("CurvePicture.lines: no series for '" + title + "'");
        if (smoothWindow < 1) throw new IllegalArgumentException("CurvePicture.lines: smoothWindow " + smoothWindow + " < 1");
        Canvas.Axes a = axes(title, series, logY);
        BufferedImage im = Canvas.page(WIDTH, HEIGHT);
        Graphics2D g = Canvas.graphics(im, true);
        Canvas.drawAxes(g, a, xTitle, logY ? "log10 " + yTitle : yTitle, true);
        Canvas.drawTitle(g, title, a.left() + a.width() / 2, 30);
        g.setClip(a.left(), a.top(), a.width() + 1, a.height() + 1);
        List<String> labels = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            Color c = PALETTE[k % PALETTE.length];
            double[] y = new double[s.y.length];
            for (int i = 0; i < y.length; i++) y[i] = logY ? log(s.y[i]) : s.y[i];
            if (smoothWindow > 1) {
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
                g.setStroke(new BasicStroke(1f));
                g.draw(path(a, s.x, y));
                y = movingAverage(y, smoothWindow);
            }
            g.setColor(c);
            g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path(a, s.x, y));
            labels.add(s.name);
            colours.add(c);
        }
        g.setClip(null);
        // the legend goes in the right-hand corner the curves leave free: bottom for rising curves (AP), top for falling (loss)
        int legendH = labels.size() * (g.getFontMetrics(Canvas.FONT).getHeight() + 4) + 10;
        int legendY = rightEndIsHigh(a, series, logY) ? a.top() + a.height() - legendH - 10 : a.top() + 10;
        Canvas.drawLegend(g, a.left() + a.width() - 230, legendY, labels, colours, Canvas.Mark.LINE);
        g.dispose();
        return im;
    }

    /** The plot area and data ranges that fit every finite point of the series (y padded by 4 % each way). */
    static Canvas.Axes axes(String title, List<Series> series, boolean logY) {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (int i = 0; i < s.x.length; i++) {
                double y = logY ? log(s.y[i]) : s.y[i];
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(y)) continue;
                xMin = Math.min(xMin, s.x[i]);
                xMax = Math.max(xMax, s.x[i]);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        if (xMin > xMax) throw new IllegalArgumentException("CurvePicture.lines: no finite point to draw in '" + title + "'");
        if (xMax == xMin) xMax = xMin + 1;
        if (yMax == yMin) {
            yMax += 0.5;
            yMin -= 0.5;
        }
        double pad = 0.04 * (yMax - yMin);
        return new Canvas.Axes(90, 50, WIDTH - 90 - 30, HEIGHT - 50 - 70, xMin, xMax, yMin - pad, yMax + pad);
    }

    /** Draws and writes the PNG atomically. */
    public static void write(Path file, String title, String xTitle, String yTitle, List<Series> series, int smoothWindow, boolean logY) throws IOException {
        Canvas.write(file, lines(title, xTitle, yTitle, series, smoothWindow, logY));
    }

    /** Whether the points in the right third of the plot lie mostly in its upper half. */
    static boolean rightEndIsHigh(Canvas.Axes a, List<Series> series, boolean logY) {
        double xCut = a.xMin() + (a.xMax() - a.xMin()) * 2 / 3, yMid = (a.yMin() + a.yMax()) / 2;
        int high = 0, all = 0;
        for (Series s : series)
            for (int i = 0; i < s.x.length; i++) {
                double y = logY ? log(s.y[i]) : s.y[i];
                if (!(s.x[i] >= xCut) || !Double.isFinite(y)) continue;
                all++;
                if (y > yMid) high++;
            }
        return all > 0 && 2 * high > all;
    }

    /** Trailing moving average over the finite values of the last {@code w} points (NaN where none is finite). */
    static double[] movingAverage(double[] y, int w) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            double sum = 0;
            int n = 0;
            for (int j = Math.max(0, i - w + 1); j <= i; j++)
                if (Double.isFinite(y[j])) {
                    sum += y[j];
                    n++;
                }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    private static double log(double v) { return v > 0 ? Math.log10(v) : Double.NaN; }

    /** A polyline through the finite points; a non-finite point breaks the line. */
    private static Path2D.Double path(Canvas.Axes a, double[] x, double[] y) {
        Path2D.Double p = new Path2D.Double();
        boolean open = false;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                open = false;
                continue;
            }
            if (open) p.lineTo(a.px(x[i]), a.py(y[i]));
            else p.moveTo(a.px(x[i]), a.py(y[i]));
            open = true;
        }
        return p;
    }
}
