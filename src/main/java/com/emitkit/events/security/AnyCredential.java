package com.emitkit.events.security;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requests to the marked resource need a valid credential (an API key of any scope, or a dashboard token):
 * {@link CallerAuthentication}. For what a credential may ask about itself.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface AnyCredential {
}
