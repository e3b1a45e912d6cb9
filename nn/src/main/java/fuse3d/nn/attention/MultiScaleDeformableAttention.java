package fuse3d.nn.attention;

import fuse3d.autograd.Resampling;
import fuse3d.autograd.Var;
import fuse3d.nn.Dropout;
import fuse3d.nn.Functional;
import fuse3d.nn.Init;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-scale deformable attention (Deformable DETR, as mmcv's MultiScaleDeformableAttention used by BEVFormer):
 * each query samples a few learned points around its reference point on every feature level and returns the
 * softmax-weighted sum of the sampled values.
 *
 * <p>Children, named as mmcv's: {@code dropout}, {@code sampling_offsets} (C -> heads*levels*points*2),
 * {@code attention_weights} (C -> heads*levels*points), {@code value_proj} and {@code output_proj} (C -> C).
 * Initialisation as mmcv's init_weights: sampling_offsets has a zero weight and a bias that points head h
 * along the angle 2 pi h / heads (scaled so the larger of |cos|, |sin| is 1), point p at distance p + 1 pixels,
 * the same on every level; attention_weights is all zero (uniform weights); value_proj and output_proj are
 * xavier_uniform with zero bias.
 *
 * <p>Sampling is bilinear with zero padding and align_corners = false, so a normalised location (x, y) in
 * [0, 1] reads pixel (x W - 0.5, y H - 0.5) (pixel centres at (i + 0.5) / W). The value_proj_ratio option of
 * newer mmcv (a value width other than C) is not offered. The result is {@code identity + dropout(output)}.
 */
public final class MultiScaleDeformableAttention extends Module {
    public final int embedDims, numHeads, numLevels, numPoints;
    public final boolean batchFirst;
    private final Dropout dropout;
    private final Linear samplingOffsets, attentionWeights, valueProj, outputProj;

    /** The weights one call uses (this module's own from {@link #projections()}, or stand-ins such as float64 copies). */
    public record Projections(Var samplingOffsetsWeight, Var samplingOffsetsBias, Var attentionWeightsWeight, Var attentionWeightsBias,
                              Var valueProjWeight, Var valueProjBias, Var outputProjWeight, Var outputProjBias) {}

    /** @param g draws the xavier initial weights and the dropout masks */
    public MultiScaleDeformableAttention(int embedDims, int numHeads, int numLevels, int numPoints, double dropout, boolean batchFirst, Generator g) {
        if (embedDims <= 0 || numHeads <= 0 || numLevels <= 0 || numPoints <= 0)
            throw new IllegalArgumentException("MultiScaleDeformableAttention: embed_dims, num_heads, num_levels and num_points must be positive, got "
                    + embedDims + ", " + numHeads + ", " + numLevels + ", " + numPoints);
        if (embedDims % numHeads != 0)
            throw new IllegalArgumentException("MultiScaleDeformableAttention: embed_dims must be divisible by num_heads, but got " + embedDims + " and " + numHeads);
        this.embedDims = embedDims;
        this.numHeads = numHeads;
        this.numLevels = numLevels;
        this.numPoints = numPoints;
        this.batchFirst = batchFirst;
        this.dropout = registerModule("dropout", new Dropout(dropout, g));
        this.samplingOffsets = registerModule("sampling_offsets", new Linear(embedDims, numHeads * numLevels * numPoints * 2, g));
        this.attentionWeights = registerModule("attention_weights", new Linear(embedDims, numHeads * numLevels * numPoints, g));
        this.valueProj = registerModule("value_proj", new Linear(embedDims, embedDims, g));
        this.outputProj = registerModule("output_proj", new Linear(embedDims, embedDims, g));
        initWeights(g);
    }

    /** mmcv's defaults: dropout 0.1, sequence-first layout. */
    public MultiScaleDeformableAttention(int embedDims, int numHeads, int numLevels, int numPoints, Generator g) {
        this(embedDims, numHeads, numLevels, numPoints, 0.1, false, g);
    }

    private void initWeights(Generator g) {
        samplingOffsets.weight().data().zero_();
        samplingOffsets.bias().data().copy_(directionGrid(numHeads, numLevels, numPoints));
        attentionWeights.weight().data().zero_();
        attentionWeights.bias().data().zero_();
        for (Linear l : new Linear[] {valueProj, outputProj}) {
            l.weight().data().copy_(Init.xavierUniform(g, 1.0, l.outFeatures, l.inFeatures));
            l.bias().data().zero_();
        }
    }

    /**
     * The sampling-offset bias of Deformable DETR, flattened in the [heads, levels, points, 2] order that the
     * forward's view expects. Computed in float32 as the reference does, so the values agree to rounding.
     */
    static Tensor directionGrid(int heads, int levels, int points) {
        Tensor theta = Tensor.arange(0, heads, 1, DType.FLOAT32).mul(2.0 * Math.PI / heads);
        Tensor dir = Tensor.stack(1, theta.cos(), theta.sin()); // [heads, 2] as (x, y)
        dir = dir.div(dir.abs().amax(new int[] {1}, true)); // onto the square's border: max(|x|, |y|) = 1
        Tensor distance = Tensor.arange(1, points + 1, 1, DType.FLOAT32).reshape(1, 1, points, 1);
        return dir.reshape(heads, 1, 1, 2).expand(heads, levels, points, 2).mul(distance).contiguous().reshape(-1);
    }

    public Linear samplingOffsets() { return samplingOffsets; }

    public Linear attentionWeights() { return attentionWeights; }

    public Linear valueProj() { return valueProj; }

    public Linear outputProj() { return outputProj; }

    /** This module's live weights. */
    public Projections projections() {
        return new Projections(samplingOffsets.weight(), samplingOffsets.bias(), attentionWeights.weight(), attentionWeights.bias(),
                valueProj.weight(), valueProj.bias(), outputProj.weight(), outputProj.bias());
    }

    /** Self-attention over value (no identity or positional encoding): see the full form. */
    public Var forward(Var query, Var value, Var referencePoints, Tensor spatialShapes, Tensor levelStartIndex) {
        return forward(projections(), query, value, null, null, null, referencePoints, spatialShapes, levelStartIndex);
    }

    /** mmcv's forward (without its unused key) with this module's weights. */
    public Var forward(Var query, Var value, Var identity, Var queryPos, Tensor keyPaddingMask, Var referencePoints,
                       Tensor spatialShapes, Tensor levelStartIndex) {
        return forward(projections(), query, value, identity, queryPos, keyPaddingMask, referencePoints, spatialShapes, levelStartIndex);
    }

    /**
     * mmcv's forward with the given weights.
     *
     * @param query [Lq, B, C] ([B, Lq, C] if batchFirst)
     * @param value [Lv, B, C] (likewise), the levels' H*W pixels row-major, level after level; null uses the query
     * @param identity added to the result (shaped as query); null uses the query before queryPos
     * @param queryPos null, or a positional encoding added to the query (not to the identity)
     * @param keyPaddingMask null, or bool [B, Lv]: true zeroes that value pixel
     * @param referencePoints [B, Lq, levels, 2] normalised (x, y) in [0, 1], or [B, Lq, levels, 4] boxes (x, y, w, h)
     *        whose offsets are scaled by w / (2 points) and h / (2 points)
     * @param spatialShapes integer [levels, 2] of (H, W)
     * @param levelStartIndex null, or integer [levels]: each level's first row in value (checked against spatialShapes)
     */
    public Var forward(Projections w, Var query, Var value, Var identity, Var queryPos, Tensor keyPaddingMask, Var referencePoints,
                       Tensor spatialShapes, Tensor levelStartIndex) {
        String op = "MultiScaleDeformableAttention";
        if (value == null) value = query;
        if (identity == null) identity = query;
        if (queryPos != null) query = query.add(queryPos);
        if (query.dim() != 3 || value.dim() != 3)
            throw new IllegalArgumentException(op + ": query and value must be 3-d, got " + Shape.str(query.shape()) + " and " + Shape.str(value.shape()));
        if (!batchFirst) {
            query = query.transpose(0, 1);
            value = value.transpose(0, 1);
        }
        int b = query.size(0), lq = query.size(1), lv = value.size(1);
        if (value.size(0) != b || query.size(2) != embedDims || value.size(2) != embedDims)
            throw new IllegalArgumentException(op + ": query " + Shape.str(query.shape()) + " and value " + Shape.str(value.shape())
                    + " (batch first) must share the batch and have " + embedDims + " features");
        int[][] shapes = levelShapes(op, spatialShapes, numLevels);
        int[] starts = levelStarts(op, shapes, lv, levelStartIndex);
        int[] rs = referencePoints.shape();
        if (rs.length != 4 || rs[0] != b || rs[1] != lq || rs[2] != numLevels || (rs[3] != 2 && rs[3] != 4))
            throw new IllegalArgumentException(op + ": reference_points must be [" + b + ", " + lq + ", " + numLevels + ", 2 or 4], got " + Shape.str(rs));

        int d = embedDims / numHeads;
        Var v = project(valueProj, w.valueProjWeight(), w.valueProjBias(), value);
        if (keyPaddingMask != null) {
            if (keyPaddingMask.dtype() != DType.BOOL || keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != b || keyPaddingMask.size(1) != lv)
                throw new IllegalArgumentException(op + ": key_padding_mask must be bool [" + b + ", " + lv + "], got "
                        + keyPaddingMask.dtype().torchName() + " " + Shape.str(keyPaddingMask.shape()));
            v = v.maskedFill(keyPaddingMask.reshape(b, lv, 1), 0.0);
        }
        v = v.reshape(b, lv, numHeads, d);
        Var offsets = project(samplingOffsets, w.samplingOffsetsWeight(), w.samplingOffsetsBias(), query)
                .reshape(b, lq, numHeads, numLevels, numPoints, 2);
        Var weights = project(attentionWeights, w.attentionWeightsWeight(), w.attentionWeightsBias(), query)
                .reshape(b, lq, numHeads, numLevels * numPoints).softmax(3)
                .reshape(b, lq, numHeads, numLevels, numPoints);

        Var locations;
        DType dt = offsets.dtype();
        if (rs[3] == 2) {
            // offsets are in pixels of their level: divide by (W, H) to move in normalised coordinates
            double[] wh = new double[numLevels * 2];
            for (int l = 0; l < numLevels; l++) {
                wh[2 * l] = shapes[l][1];
                wh[2 * l + 1] = shapes[l][0];
            }
            Tensor normaliser = Tensor.of(wh, 1, 1, 1, numLevels, 1, 2).to(dt);
            locations = referencePoints.reshape(b, lq, 1, numLevels, 1, 2).add(offsets.div(normaliser));
        } else {
            // offsets are relative to the box: a unit offset moves half the box size divided by the point count
            Var ref = referencePoints.reshape(b, lq, 1, numLevels, 1, 4);
            Var centre = ref.narrow(5, 0, 2), size = ref.narrow(5, 2, 2);
            locations = centre.add(offsets.div(Tensor.scalar(numPoints, dt)).mul(size).mul(0.5));
        }
        Var out = sample(v, shapes, starts, locations, weights);
        out = project(outputProj, w.outputProjWeight(), w.outputProjBias(), out);
        if (!batchFirst) out = out.transpose(0, 1);
        return dropout.apply(out).add(identity);
    }

    /** Own weights go through the child (so its hooks run, as calling the submodule in mmcv); stand-ins through linear. */
    private static Var project(Linear child, Var weight, Var bias, Var x) {
        return weight == child.weight() && bias == child.bias() ? child.apply(x) : Functional.linear(x, weight, bias);
    }

    /**
     * The deformable sampling core (mmcv's multi_scale_deformable_attn_pytorch): for each batch, query and head,
     * the attention-weighted sum of the value bilinearly sampled at every level's points.
     *
     * @param value [B, Lv, heads, D], the levels' pixels row-major, level after level
     * @param spatialShapes (H, W) per level
     * @param samplingLocations [B, Lq, heads, levels, points, 2] normalised (x, y)
     * @param attentionWeights [B, Lq, heads, levels, points]
     * @return [B, Lq, heads * D]
     */
    public static Var multiScaleDeformableAttn(Var value, int[][] spatialShapes, Var samplingLocations, Var attentionWeights) {
        String op = "multi_scale_deformable_attn";
        if (value.dim() != 4) throw new IllegalArgumentException(op + ": value must be [B, Lv, heads, D], got " + Shape.str(value.shape()));
        int[] starts = levelStarts(op, spatialShapes, value.size(1), null);
        return sample(value, spatialShapes, starts, samplingLocations, attentionWeights);
    }

    private static Var sample(Var value, int[][] shapes, int[] starts, Var locations, Var attentionWeights) {
        String op = "multi_scale_deformable_attn";
        int b = value.size(0), heads = value.size(2), d = value.size(3);
        int[] ls = locations.shape();
        if (ls.length != 6 || ls[0] != b || ls[2] != heads || ls[3] != shapes.length || ls[5] != 2)
            throw new IllegalArgumentException(op + ": sampling_locations must be [" + b + ", Lq, " + heads + ", " + shapes.length
                    + ", points, 2] for value " + Shape.str(value.shape()) + ", got " + Shape.str(ls));
        int lq = ls[1], levels = ls[3], points = ls[4];
        if (!Arrays.equals(attentionWeights.shape(), Arrays.copyOf(ls, 5)))
            throw new IllegalArgumentException(op + ": attention_weights must be " + Shape.str(Arrays.copyOf(ls, 5)) + ", got "
                    + Shape.str(attentionWeights.shape()));
        // grid_sample's grid runs over [-1, 1]; with align_corners = false its ends are the outer pixel edges
        Var grids = locations.mul(2.0).sub(1.0);
        Var[] sampled = new Var[levels];
        for (int l = 0; l < levels; l++) {
            int h = shapes[l][0], w = shapes[l][1];
            // [B, H*W, heads, D] -> [B*heads, D, H, W]: one grid_sample image per batch-head, D channels
            Var img = value.narrow(1, starts[l], h * w).reshape(b, h * w, heads * d).transpose(1, 2).reshape(b * heads, d, h, w);
            // [B, Lq, heads, points, 2] -> [B*heads, Lq, points, 2]
            Var grid = grids.select(3, l).transpose(1, 2).reshape(b * heads, lq, points, 2);
            sampled[l] = Resampling.gridSample(img, grid, "bilinear", "zeros", false); // [B*heads, D, Lq, points]
        }
        Var all = Var.stack(3, sampled).reshape(b * heads, d, lq, levels * points);
        Var aw = attentionWeights.transpose(1, 2).reshape(b * heads, 1, lq, levels * points);
        return all.mul(aw).sum(new int[] {3}, false).reshape(b, heads * d, lq).transpose(1, 2);
    }

    private static int[][] levelShapes(String op, Tensor spatialShapes, int levels) {
        if (spatialShapes == null || !spatialShapes.dtype().isIntegral() || spatialShapes.dim() != 2 || spatialShapes.size(1) != 2
                || spatialShapes.size(0) != levels)
            throw new IllegalArgumentException(op + ": spatial_shapes must be an integer [" + levels + ", 2] tensor of (H, W), got "
                    + (spatialShapes == null ? "null" : spatialShapes.dtype().torchName() + " " + Shape.str(spatialShapes.shape())));
        long[] v = spatialShapes.contiguous().toLongArray();
        int[][] out = new int[levels][2];
        for (int l = 0; l < levels; l++) {
            if (v[2 * l] <= 0 || v[2 * l + 1] <= 0)
                throw new IllegalArgumentException(op + ": spatial_shapes level " + l + " is (" + v[2 * l] + ", " + v[2 * l + 1] + "); sizes must be positive");
            out[l][0] = Math.toIntExact(v[2 * l]);
            out[l][1] = Math.toIntExact(v[2 * l + 1]);
        }
        return out;
    }

    /** Each level's first row: the running sum of H*W, which must cover the value exactly. */
    private static int[] levelStarts(String op, int[][] shapes, int lv, Tensor levelStartIndex) {
        int[] starts = new int[shapes.length];
        long at = 0;
        for (int l = 0; l < shapes.length; l++) {
            starts[l] = (int) at;
            at += (long) shapes[l][0] * shapes[l][1];
        }
        if (at != lv)
            throw new IllegalArgumentException(op + ": the levels' H*W sum to " + at + " but value has " + lv + " rows");
        if (levelStartIndex != null) {
            if (!levelStartIndex.dtype().isIntegral() || levelStartIndex.dim() != 1)
                throw new IllegalArgumentException(op + ": level_start_index must be a 1-d integer tensor, got "
                        + levelStartIndex.dtype().torchName() + " " + Shape.str(levelStartIndex.shape()));
            long[] given = levelStartIndex.contiguous().toLongArray();
            boolean ok = given.length == starts.length;
            for (int l = 0; ok && l < starts.length; l++) ok = given[l] == starts[l];
            if (!ok)
                throw new IllegalArgumentException(op + ": level_start_index " + Arrays.toString(given) + " does not match spatial_shapes, which give "
                        + Arrays.toString(starts));
        }
        return starts;
    }

    @Override
    protected String extraRepr() {
        return "embed_dims=" + embedDims + ", num_heads=" + numHeads + ", num_levels=" + numLevels + ", num_points=" + numPoints + ", batch_first=" + batchFirst;
    }
}
