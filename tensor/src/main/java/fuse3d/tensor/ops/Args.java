package fuse3d.tensor.ops;

import java.util.List;
import java.util.Map;

/**
 * An op's non-tensor arguments under PyTorch's keyword names, as the golden fixtures store them (JSON
 * values: numbers, booleans, strings, lists, null).
 */
public record Args(Map<String, Object> values) {
    public static Args of(Object... keyValues) {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return new Args(m);
    }

    public boolean has(String key) { return values.containsKey(key) && values.get(key) != null; }

    public int getInt(String key, int dflt) {
        Object v = values.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.intValue();
        if (v instanceof List<?> l && l.size() == 1) return ((Number) l.get(0)).intValue();
        throw bad(key, "an integer", v);
    }

    public double getDouble(String key, double dflt) {
        Object v = values.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s) return switch (s) {
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            case "nan", "NaN" -> Double.NaN;
            default -> throw bad(key, "a number", v);
        };
        throw bad(key, "a number", v);
    }

    public boolean getBool(String key, boolean dflt) {
        Object v = values.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw bad(key, "a boolean", v);
    }

    public String getString(String key, String dflt) {
        Object v = values.get(key);
        if (v == null) return dflt;
        return v.toString();
    }

    /** An int list; a single int is repeated n times (PyTorch's _pair/_triple), null gives dflt. */
    public int[] getInts(String key, int n, int[] dflt) {
        Object v = values.get(key);
        if (v == null) return dflt;
        if (v instanceof Number num) {
            int[] r = new int[n];
            java.util.Arrays.fill(r, num.intValue());
            return r;
        }
        if (v instanceof List<?> l) {
            int[] r = new int[l.size()];
            for (int i = 0; i < r.length; i++) r[i] = ((Number) l.get(i)).intValue();
            return r;
        }
        throw bad(key, "an int or a list of ints", v);
    }

    /** An int list of any length (a single int becomes a one-element list). */
    public int[] getInts(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        return getInts(key, 1, null);
    }

    public double[] getDoubles(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        if (v instanceof Number n) return new double[] {n.doubleValue()};
        if (v instanceof List<?> l) {
            double[] r = new double[l.size()];
            for (int i = 0; i < r.length; i++) r[i] = ((Number) l.get(i)).doubleValue();
            return r;
        }
        throw bad(key, "a number or a list of numbers", v);
    }

    private static IllegalArgumentException bad(String key, String expected, Object v) {
        return new IllegalArgumentException("argument '" + key + "' must be " + expected + ", got " + v);
    }
}
