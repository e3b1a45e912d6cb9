package fuse3d.models.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The training progress line on stderr: epoch, iteration, each loss term, learning rate, iterations per second
 * and the time left. On a terminal one line is rewritten in place; otherwise (a log file, CI) a line is printed
 * every tenth of an epoch and at its end, so logs stay short.
 */
public final class ProgressBar {
    private final PrintStream out;
    private final boolean terminal;
    private int lastLength;

    public ProgressBar(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Whether stderr is an interactive terminal (then the line is updated in place). */
    public static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /**
     * Reports iteration {@code iter} (1-based) of {@code iters} in epoch {@code epoch} (1-based) of {@code epochs}.
     *
     * @param secondsLeft estimated seconds to the end of training
     */
    public void update(int epoch, int epochs, int iter, int iters, Map<String, Double> losses, double total, double lr, double itPerSec,
                       double secondsLeft) {
        boolean endOfEpoch = iter == iters;
        if (!terminal && !endOfEpoch && iter % Math.max(1, iters / 10) != 0) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d iter %d/%d", epoch, epochs, iter, iters));
        for (var e : losses.entrySet()) sb.append(String.format(Locale.ROOT, " %s %.4f", e.getKey(), e.getValue()));
        sb.append(String.format(Locale.ROOT, " loss %.4f lr %.3g %.2f it/s ETA %s", total, lr, itPerSec, hms(secondsLeft)));
        if (terminal) {
            String line = sb.toString();
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
            if (endOfEpoch) {
                out.println();
                lastLength = 0;
            }
        } else {
            out.println(sb);
        }
        out.flush();
    }

    /** A message on its own line (ends an in-place line first). */
    public void message(String text) {
        if (terminal && lastLength > 0) {
            out.println();
            lastLength = 0;
        }
        out.println(text);
        out.flush();
    }

    static String hms(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "--:--:--";
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
