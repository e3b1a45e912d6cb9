package fuse3d.models.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The class names an OpenPCDet block's NAME key may hold when the record has no NAME of its own because Fuse3D builds
 * one implementation there (DENSE_HEAD: AnchorHeadSingle, ...): the binder accepts NAME with one of these values, so
 * OpenPCDet's YAML binds unchanged, and refuses any other value with a message naming it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ImpliedName {
    String[] value();
}
