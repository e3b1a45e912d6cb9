package fuse3d.tensor;

/** Where a tensor's storage lives: the host ("cpu") or an accelerator ("cuda", index). */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public static Device cuda(int index) { return new Device("cuda", index); }

    /** Parses "cpu", "cuda" or "cuda:1". */
    public static Device parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) return CPU;
        if (t.equals("cuda")) return cuda(0);
        if (t.startsWith("cuda:")) return cuda(Integer.parseInt(t.substring(5)));
        throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, cuda or cuda:N)");
    }

    @Override
    public String toString() { return type.equals("cpu") ? "cpu" : type + ":" + index; }
}
