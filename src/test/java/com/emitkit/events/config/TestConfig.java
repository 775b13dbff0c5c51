package com.emitkit.events.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The real {@link EmitKitConfig} mapping with its defaults, for plain unit tests, from a few properties. */
public final class TestConfig {

    private TestConfig() {
    }

    public static EmitKitConfig emitKit(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(EmitKitConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Path.class, 100, Path::of)
                .build();
        return config.getConfigMapping(EmitKitConfig.class);
    }
}
