package fuse3d.examples.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trainer's CSV log read back for pictures and reports: a header (epoch, iteration, lr, loss terms..., total,
 * seconds) and one row per iteration; a malformed line is an error naming the file and line.
 */
record TrainLog(List<String> header, double[][] rows) {
    static TrainLog read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) throw new IOException(file + ": empty training log");
        List<String> header = List.of(lines.get(0).split(","));
        for (String required : List.of("epoch", "iteration", "lr", "total", "seconds"))
            if (!header.contains(required)) throw new IOException(file + ":1: the header has no '" + required + "' column: " + header);
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split(",");
            if (f.length != header.size()) throw new IOException(file + ":" + (i + 1) + ": " + f.length + " fields, the header has " + header.size());
            double[] r = new double[f.length];
            for (int k = 0; k < f.length; k++) {
                try {
                    r[k] = Double.parseDouble(f[k]);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + (i + 1) + ": column " + header.get(k) + ": not a number: '" + f[k] + "'");
                }
            }
            rows.add(r);
        }
        return new TrainLog(header, rows.toArray(new double[0][]));
    }

    double[] column(String name) {
        int k = header.indexOf(name.equals("loss") ? "total" : name);
        if (k < 0) throw new IllegalArgumentException("training log: no column " + name + " in " + header);
        return Arrays.stream(rows).mapToDouble(r -> r[k]).toArray();
    }

    double[] iterations() { return column("iteration"); }

    /** The loss-term columns, between lr and total. */
    List<String> lossTerms() { return header.subList(header.indexOf("lr") + 1, header.indexOf("total")); }

    /** The mean of a column over the rows of one epoch (NaN when the epoch has no rows). */
    double epochMean(String name, int epoch) {
        double[] c = column(name), e = column("epoch");
        double s = 0;
        int n = 0;
        for (int i = 0; i < c.length; i++)
            if ((int) e[i] == epoch) {
                s += c[i];
                n++;
            }
        return n == 0 ? Double.NaN : s / n;
    }

    int epochs() { return rows.length == 0 ? 0 : (int) rows[rows.length - 1][header.indexOf("epoch")]; }
}
