package com.emitkit.events.local.datafile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Every datafile of a Tinybird project folder ({@code datasources/}, {@code endpoints/}, {@code materializations/}, ...). */
public record TinybirdProject(Path root, List<Datasource> datasources, List<Pipe> pipes) {

    public static TinybirdProject load(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("Tinybird project folder " + root.toAbsolutePath() + " does not exist");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        List<Datasource> datasources = files.stream().filter(f -> f.toString().endsWith(".datasource"))
                .map(DatafileParser::parseDatasource).toList();
        List<Pipe> pipes = files.stream().filter(f -> f.toString().endsWith(".pipe"))
                .map(DatafileParser::parsePipe).toList();
        return new TinybirdProject(root, datasources, pipes);
    }
}
