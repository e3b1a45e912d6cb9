package fuse3d.data.viz;

import fuse3d.data.occ3d.Occ3d;
import fuse3d.data.occ3d.Occ3dGrid;
import fuse3d.data.occ3d.Occ3dLabels;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Occ3D semantic occupancy as one PNG: a bird's-eye view (each column coloured by its top-most non-free voxel),
 * an x-z slice at a chosen y index and a y-z slice at a chosen x index (where they cut is marked by triangles on the BEV's frame),
 * with Occ3D's class colours, a legend of the classes present, and metric axes.
 *
 * <p>Free (17) and values outside 0..16 (255: unlabelled) are not drawn: the plot background shows through.
 */
public final class OccupancyPicture {
    private OccupancyPicture() {}

    /**
     * The class colours (RGB) of the Occ3D / nuScenes occupancy visualisations, by class id 0..16 (others black,
     * barrier orange, bicycle pink, bus yellow, car blue, construction vehicle cyan, motorcycle dark orange,
     * pedestrian red, traffic cone light yellow, trailer brown, truck purple, driveable surface magenta, other flat
     * grey, sidewalk dark purple, terrain light green, manmade lavender, vegetation green).
     */
    public static final List<Color> CLASS_COLOURS = List.of(
            new Color(0, 0, 0), new Color(255, 120, 50), new Color(255, 192, 203), new Color(255, 255, 0), new Color(0, 150, 245),
            new Color(0, 255, 255), new Color(255, 127, 0), new Color(255, 0, 0), new Color(255, 240, 150), new Color(135, 60, 0),
            new Color(160, 32, 240), new Color(255, 0, 255), new Color(139, 137, 137), new Color(75, 0, 75), new Color(150, 240, 80),
            new Color(230, 230, 250), new Color(0, 175, 0));
    /** Free and unlabelled space: a mid slate, on which both the black "others" and the near-white "manmade" show. */
    public static final Color EMPTY = new Color(92, 100, 112);

    /** Pixels per voxel in every panel, across. */
    public static final int SCALE = 3;
    /** Pixels per voxel upwards in the side slices: z is stretched twice, or 16 voxels would make a 48-pixel strip. */
    public static final int Z_SCALE = 2 * SCALE;
    private static final int LEFT = 70, TOP = 46, GAP = 74, LEGEND_W = 210;

    /** The panel layout for a grid: the BEV, then the x-z slice, then the y-z slice, below one another. */
    record Layout(Canvas.Axes bev, Canvas.Axes xz, Canvas.Axes yz, int width, int height) {
        static Layout of(Occ3dGrid grid) {
            double v = grid.voxelSize();
            double x0 = grid.xMin(), y0 = grid.yMin(), z0 = grid.zMin();
            double x1 = x0 + grid.nx() * v, y1 = y0 + grid.ny() * v, z1 = z0 + grid.nz() * v;
            Canvas.Axes bev = new Canvas.Axes(LEFT, TOP, grid.nx() * SCALE, grid.ny() * SCALE, x0, x1, y0, y1);
            int t2 = TOP + bev.height() + GAP;
            Canvas.Axes xz = new Canvas.Axes(LEFT, t2, grid.nx() * SCALE, grid.nz() * Z_SCALE, x0, x1, z0, z1);
            int t3 = t2 + xz.height() + GAP;
            Canvas.Axes yz = new Canvas.Axes(LEFT, t3, grid.ny() * SCALE, grid.nz() * Z_SCALE, y0, y1, z0, z1);
            int w = LEFT + Math.max(bev.width(), Math.max(xz.width(), yz.width())) + 24 + LEGEND_W;
            return new Layout(bev, xz, yz, w, t3 + yz.height() + 56);
        }
    }

    /** The picture's size in pixels (width, height) for a grid. */
    public static int[] size(Occ3dGrid grid) {
        Layout l = Layout.of(grid);
        return new int[] {l.width(), l.height()};
    }

    /** The pixel (column, row) at the centre of BEV column (ix, iy). */
    public static int[] bevPixelOf(Occ3dGrid grid, int ix, int iy) {
        Canvas.Axes a = Layout.of(grid).bev();
        return new int[] {a.left() + ix * SCALE + SCALE / 2, a.top() + (grid.ny() - 1 - iy) * SCALE + SCALE / 2};
    }

    /** The pixel (column, row) at the centre of voxel (ix, iz) in the x-z slice. */
    public static int[] xzPixelOf(Occ3dGrid grid, int ix, int iz) {
        Canvas.Axes a = Layout.of(grid).xz();
        return new int[] {a.left() + ix * SCALE + SCALE / 2, a.top() + (grid.nz() - 1 - iz) * Z_SCALE + Z_SCALE / 2};
    }

    /** The pixel (column, row) at the centre of voxel (iy, iz) in the y-z slice. */
    public static int[] yzPixelOf(Occ3dGrid grid, int iy, int iz) {
        Canvas.Axes a = Layout.of(grid).yz();
        return new int[] {a.left() + iy * SCALE + SCALE / 2, a.top() + (grid.nz() - 1 - iz) * Z_SCALE + Z_SCALE / 2};
    }

    /** The top-most non-free class of each column, [nx * ny] x-major, -1 where the column is empty. */
    public static int[] topClasses(Occ3dLabels labels) {
        int[] out = new int[labels.nx() * labels.ny()];
        for (int c = 0; c < out.length; c++) {
            out[c] = -1;
            for (int z = labels.nz() - 1; z >= 0; z--) {
                int l = labels.label(c * labels.nz() + z);
                if (l < Occ3d.FREE) {
                    out[c] = l;
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Renders the three panels.
     *
     * @param sliceY the y index of the x-z slice; {@code sliceX} the x index of the y-z slice
     */
    public static BufferedImage render(String title, Occ3dLabels labels, Occ3dGrid grid, int sliceY, int sliceX) {
        if (!grid.hasShape(labels.shape()))
            throw new IllegalArgumentException("OccupancyPicture: labels of shape " + java.util.Arrays.toString(labels.shape())
                    + " on a grid of " + java.util.Arrays.toString(grid.shape()));
        if (sliceY < 0 || sliceY >= grid.ny() || sliceX < 0 || sliceX >= grid.nx())
            throw new IllegalArgumentException("OccupancyPicture: slice indices (y " + sliceY + ", x " + sliceX + ") outside the grid "
                    + grid.nx() + " x " + grid.ny());
        Layout l = Layout.of(grid);
        BufferedImage im = Canvas.page(l.width(), l.height());
        Graphics2D g = Canvas.graphics(im, false);
        boolean[] present = new boolean[Occ3d.FREE];
        int[] top = topClasses(labels);
        Canvas.Axes b = l.bev();
        for (int ix = 0; ix < grid.nx(); ix++)
            for (int iy = 0; iy < grid.ny(); iy++) {
                int c = top[ix * grid.ny() + iy];
                if (c >= 0) present[c] = true;
                // +y is up: row 0 of the panel is the last y index
                cell(g, c, b.left() + ix * SCALE, b.top() + (grid.ny() - 1 - iy) * SCALE, SCALE);
            }
        for (int ix = 0; ix < grid.nx(); ix++)
            for (int iz = 0; iz < grid.nz(); iz++) {
                int c = classAt(labels, grid.index(ix, sliceY, iz));
                if (c >= 0) present[c] = true;
                cell(g, c, l.xz().left() + ix * SCALE, l.xz().top() + (grid.nz() - 1 - iz) * Z_SCALE, Z_SCALE);
            }
        for (int iy = 0; iy < grid.ny(); iy++)
            for (int iz = 0; iz < grid.nz(); iz++) {
                int c = classAt(labels, grid.index(sliceX, iy, iz));
                if (c >= 0) present[c] = true;
                cell(g, c, l.yz().left() + iy * SCALE, l.yz().top() + (grid.nz() - 1 - iz) * Z_SCALE, Z_SCALE);
            }
        double v = grid.voxelSize();
        double yCut = grid.yMin() + (sliceY + 0.5) * v, xCut = grid.xMin() + (sliceX + 0.5) * v;
        // where the slices cut: triangles outside the BEV frame, so no voxel is covered
        g.setColor(Canvas.INK);
        // (right and top only: the left and bottom edges carry the tick labels)
        triangle(g, b.left() + b.width() + 1, b.py(yCut), 1, 0);
        triangle(g, b.px(xCut), b.top() - 1, 0, -1);

        Canvas.drawTitle(g, title, b.left() + b.width() / 2, 28);
        Canvas.drawAxes(g, b, "x (m, forward)", "y (m, left)", false);
        Canvas.drawAxes(g, l.xz(), "", "z (m)", false);
        Canvas.drawAxes(g, l.yz(), "", "z (m)", false);
        g.setFont(Canvas.FONT);
        g.setColor(Canvas.INK);
        g.drawString(Canvas.fmt("x (m); x-z slice at y = %.1f m (index %d), z stretched 2x", yCut, sliceY), l.xz().left(), l.xz().top() + l.xz().height() + 40);
        g.drawString(Canvas.fmt("y (m); y-z slice at x = %.1f m (index %d), z stretched 2x", xCut, sliceX), l.yz().left(), l.yz().top() + l.yz().height() + 40);

        List<String> names = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        for (int c = 0; c < Occ3d.FREE; c++)
            if (present[c]) {
                names.add(c + " " + Occ3d.CLASS_NAMES.get(c));
                colours.add(CLASS_COLOURS.get(c));
            }
        names.add("free / unlabelled");
        colours.add(EMPTY);
        int lx = l.width() - LEGEND_W;
        drawSwatchLegend(g, lx, b.top(), names, colours);
        g.dispose();
        return im;
    }

    /** Renders with the slices through the grid's centre (the ego position). */
    public static BufferedImage render(String title, Occ3dLabels labels, Occ3dGrid grid) {
        return render(title, labels, grid, grid.ny() / 2, grid.nx() / 2);
    }

    /** Renders and writes atomically. */
    public static void write(Path file, String title, Occ3dLabels labels, Occ3dGrid grid, int sliceY, int sliceX) throws IOException {
        Canvas.write(file, render(title, labels, grid, sliceY, sliceX));
    }

    /** A filled triangle whose tip touches (x, y) and which points against (dx, dy), i.e. into the panel. */
    private static void triangle(Graphics2D g, double x, double y, int dx, int dy) {
        double len = 9, half = 5;
        java.awt.geom.Path2D.Double p = new java.awt.geom.Path2D.Double();
        p.moveTo(x, y);
        p.lineTo(x + dx * len - dy * half, y + dy * len - dx * half);
        p.lineTo(x + dx * len + dy * half, y + dy * len + dx * half);
        p.closePath();
        g.fill(p);
    }

    private static int classAt(Occ3dLabels labels, int i) {
        int c = labels.label(i);
        return c < Occ3d.FREE ? c : -1;
    }

    private static void cell(Graphics2D g, int c, int x, int y, int height) {
        g.setColor(c < 0 ? EMPTY : CLASS_COLOURS.get(c));
        g.fillRect(x, y, SCALE, height);
    }

    /** Swatches with a thin outline, so that black "others" and lavender "manmade" both read on white. */
    private static void drawSwatchLegend(Graphics2D g, int x, int y, List<String> names, List<Color> colours) {
        g.setFont(Canvas.FONT);
        var fm = g.getFontMetrics();
        int row = fm.getHeight() + 3;
        g.setColor(Canvas.INK);
        g.drawString("class (top-most in BEV)", x, y + fm.getAscent());
        for (int i = 0; i < names.size(); i++) {
            int ry = y + 8 + (i + 1) * row;
            g.setColor(colours.get(i));
            g.fillRect(x, ry - 11, 22, 13);
            g.setColor(new Color(90, 90, 90));
            g.drawRect(x, ry - 11, 22, 13);
            g.setColor(Canvas.INK);
            g.drawString(names.get(i), x + 30, ry);
        }
    }
}
