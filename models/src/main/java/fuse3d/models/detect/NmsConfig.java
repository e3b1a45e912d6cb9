package fuse3d.models.detect;

import fuse3d.sparse.box.Nms;

/**
 * An NMS_CONFIG block of an OpenPCDet-style YAML (the RoI head's TRAIN / TEST proposal NMS and the final
 * POST_PROCESSING NMS): whether classes are suppressed separately, the overlap type (nms_gpu or nms_normal_gpu),
 * the IoU threshold, and the top-k before and the cap after suppression.
 */
public record NmsConfig(boolean multiClassesNms, String nmsType, double nmsThresh, int nmsPreMaxsize, int nmsPostMaxsize) {
    public NmsConfig {
        Nms.Type.parse(nmsType);
        if (!(nmsThresh >= 0 && nmsThresh <= 1)) throw new IllegalArgumentException("NMS_CONFIG: NMS_THRESH " + nmsThresh + " not in [0, 1]");
        if (nmsPreMaxsize < 1 || nmsPostMaxsize < 1)
            throw new IllegalArgumentException("NMS_CONFIG: NMS_PRE_MAXSIZE and NMS_POST_MAXSIZE must be >= 1, got " + nmsPreMaxsize + " and " + nmsPostMaxsize);
    }

    /** The sparse module's NMS settings. */
    public Nms.Config toNms() { return Nms.Config.of(nmsType, nmsThresh, nmsPreMaxsize, nmsPostMaxsize); }
}
