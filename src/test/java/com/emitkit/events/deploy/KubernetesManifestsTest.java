package com.emitkit.events.deploy;

import io.fabric8.knative.serving.v1.RevisionSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests in deploy/k8s, parsed with the Kubernetes and Knative models, against the service's real
 * configuration: ports, probe paths, the environment variables it reads, the files kustomize refers to.
 * Each check returns the problems it found, so that {@link #theChecksFindWhatIsWrong()} can show they fail.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final ServiceSettings SETTINGS = ServiceSettings.load(ROOT);
    /** Knows the Knative kinds too: knative-model registers them. */
    private static final KubernetesSerialization MODELS = new KubernetesSerialization();

    /** The keys the issue asks the Secret to hold: Tinybird's token, PostgreSQL's credentials, the two tokens. */
    private static final Set<String> SECRET_KEYS = Set.of("TINYBIRD_TOKEN", "QUARKUS_DATASOURCE_REACTIVE_URL",
            "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
            "EMITKIT_ADMIN_TOKEN", "EMITKIT_DASHBOARD_TOKENS_SECRET");

    /** One manifest file and what the models made of it. */
    record Manifest(Path file, HasMetadata resource) {
        String where() {
            return K8S.relativize(file).toString();
        }
    }

    @Test
    void everyManifestIsAKindTheModelsKnowWithNoUnknownField() {
        List<String> problems = new ArrayList<>();
        for (Manifest manifest : manifests()) {
            if (manifest.resource() instanceof GenericKubernetesResource) {
                problems.add(manifest.where() + ": " + manifest.resource().getApiVersion() + " " + manifest.resource().getKind()
                        + " is no kind the Kubernetes or Knative models know");
            }
            unknownFields(manifest.resource(), "").forEach(field -> problems.add(manifest.where() + ": " + field));
        }
        assertEquals(List.of(), problems);
        assertEquals(Set.of("ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Service"),
                Set.copyOf(manifests().stream().map(m -> m.resource().getKind()).toList()),
                "every kind the issue asks for (Knative's Service and the core Service share the kind name)");
    }

    @Test
    void everyKustomizationRefersToFilesThatExist() {
        List<Path> kustomizations = kustomizations();
        assertEquals(Set.of("config", "base", "overlays/dev", "overlays/prod", "knative"),
                Set.copyOf(kustomizations.stream().map(k -> K8S.relativize(k.getParent()).toString()).toList()));
        List<String> problems = new ArrayList<>();
        for (Path kustomization : kustomizations) {
            problems.addAll(kustomizationProblems(kustomization));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theDeploymentMatchesTheServicesPortProbesAndMetrics() {
        Deployment deployment = only(Deployment.class, "base/deployment.yaml");
        assertEquals(List.of(), podProblems("base/deployment.yaml", deployment.getSpec().getTemplate().getSpec()));
        assertEquals(List.of(), metricsProblems(deployment));
        Service service = only(Service.class, "base/service.yaml");
        assertEquals(List.of(), serviceProblems(service, deployment));
    }

    @Test
    void everyEnvironmentVariableIsOneTheServiceReads() {
        List<String> problems = new ArrayList<>();
        for (Manifest manifest : manifests()) {
            problems.addAll(envProblems(manifest));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theSecretTemplateHoldsTheCredentialsWithoutValuesAndTheConfigMapNone() {
        Secret secret = only(Secret.class, "secret-template.yaml");
        assertEquals(SECRET_KEYS, secret.getStringData().keySet());
        for (String key : List.of("TINYBIRD_TOKEN", "QUARKUS_DATASOURCE_PASSWORD", "EMITKIT_ADMIN_TOKEN",
                "EMITKIT_DASHBOARD_TOKENS_SECRET")) {
            assertEquals("", secret.getStringData().get(key), key + " must stay empty in the template");
        }
        assertTrue(secret.getData() == null || secret.getData().isEmpty(), "no base64 values in the template");
        for (Manifest manifest : manifests()) {
            if (manifest.resource() instanceof ConfigMap configMap && configMap.getData() != null) {
                assertTrue(configMap.getData().keySet().stream().noneMatch(SECRET_KEYS::contains),
                        manifest.where() + " holds a secret setting");
            }
        }
        Deployment deployment = only(Deployment.class, "base/deployment.yaml");
        assertEquals(Set.of("ConfigMap emitkit-events", "Secret " + secret.getMetadata().getName()),
                envFromSources(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst()));
    }

    @Test
    void theKnativeServiceRunsTheSameContainerAndScalesToZero() {
        io.fabric8.knative.serving.v1.Service knative = only(io.fabric8.knative.serving.v1.Service.class, "knative/service.yaml");
        RevisionSpec revision = knative.getSpec().getTemplate().getSpec();
        Container container = revision.getContainers().getFirst();
        List<String> problems = new ArrayList<>(containerProblems("knative/service.yaml", container, true));
        problems.addAll(volumeProblems("knative/service.yaml", container, revision.getVolumes()));
        assertEquals(List.of(), problems);
        Container deployed = only(Deployment.class, "base/deployment.yaml").getSpec().getTemplate().getSpec()
                .getContainers().getFirst();
        assertEquals(envFromSources(deployed), envFromSources(container));
        assertEquals("true", env(container, "EMITKIT_SERVERLESS"));
        assertEquals("0", knative.getSpec().getTemplate().getMetadata().getAnnotations().get("autoscaling.knative.dev/min-scale"));
        assertEquals(true, revision.getSecurityContext().getRunAsNonRoot(), "non-root");
    }

    @Test
    void theGracePeriodCoversTheGracefulShutdownAndScalingTargetsTheDeployment() {
        Deployment deployment = only(Deployment.class, "base/deployment.yaml");
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertTrue(grace >= SETTINGS.shutdownBudget().toSeconds() + 5,
                "terminationGracePeriodSeconds " + grace + " must exceed the shutdown delay and timeout ("
                        + SETTINGS.shutdownBudget() + ") with a margin");
        HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class, "base/hpa.yaml");
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 2, "more than one replica behind the budget");
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        PodDisruptionBudget pdb = only(PodDisruptionBudget.class, "base/pdb.yaml");
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        assertTrue(podLabels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()));
    }

    /** kustomize's own build of each kustomization, where kubectl is installed: with the patches applied, the checks still pass. */
    @Test
    void everyKustomizationBuildsIntoManifestsThatPassTheChecks() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl"))), "kubectl is not installed");
        List<String> problems = new ArrayList<>();
        for (Path kustomization : kustomizations()) {
            Process build = new ProcessBuilder("kubectl", "kustomize", kustomization.getParent().toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String built = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(build.waitFor(60, TimeUnit.SECONDS) && build.exitValue() == 0,
                    "kubectl kustomize " + K8S.relativize(kustomization.getParent()) + " failed");
            Object parsed = MODELS.unmarshal(built);
            List<?> resources = parsed instanceof List<?> list ? list : List.of(parsed);
            for (Object resource : resources) {
                Manifest manifest = new Manifest(kustomization, (HasMetadata) resource);
                problems.addAll(envProblems(manifest));
                if (resource instanceof Deployment deployment) {
                    problems.addAll(podProblems(manifest.where(), deployment.getSpec().getTemplate().getSpec()));
                } else if (resource instanceof io.fabric8.knative.serving.v1.Service knative) {
                    problems.addAll(containerProblems(manifest.where(), containers(knative).getFirst(), true));
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Each check on a copy of the base Deployment made wrong in one way, and a dangling kustomize patch. */
    @Test
    void theChecksFindWhatIsWrong(@TempDir Path dir) throws IOException {
        Function<Deployment, Container> container = d -> d.getSpec().getTemplate().getSpec().getContainers().getFirst();

        Deployment wrongEnv = baseDeployment();
        container.apply(wrongEnv).getEnv().add(new EnvVar("EMITKIT_TINYBIRD_TOKN", "x", null));
        assertEquals(List.of("wrong: env EMITKIT_TINYBIRD_TOKN is no setting the service reads"),
                envProblems(new Manifest(K8S.resolve("wrong"), wrongEnv)));

        Deployment wrongProbe = baseDeployment();
        container.apply(wrongProbe).getReadinessProbe().getHttpGet().setPath("/health/ready");
        assertEquals(List.of("wrong: readinessProbe path /health/ready, the service answers on " + SETTINGS.healthPath("ready")),
                podProblems("wrong", wrongProbe.getSpec().getTemplate().getSpec()));

        Deployment wrongPort = baseDeployment();
        container.apply(wrongPort).getPorts().getFirst().setContainerPort(9090);
        assertEquals(List.of("wrong: container port 9090, the service listens on " + SETTINGS.httpPort()),
                podProblems("wrong", wrongPort.getSpec().getTemplate().getSpec()));

        Deployment writable = baseDeployment();
        container.apply(writable).getSecurityContext().setReadOnlyRootFilesystem(false);
        assertEquals(List.of("wrong: the root filesystem must be read-only"),
                podProblems("wrong", writable.getSpec().getTemplate().getSpec()));

        Path kustomization = Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                patches:
                  - path: missing-patch.yaml
                """.formatted(dir.relativize(K8S.resolve("base"))));
        assertEquals(List.of(K8S.relativize(kustomization) + ": patch missing-patch.yaml does not exist"),
                kustomizationProblems(kustomization));
    }

    // --- the checks ---

    private static List<String> podProblems(String where, PodSpec pod) {
        List<String> problems = new ArrayList<>();
        if (!Boolean.TRUE.equals(pod.getSecurityContext() == null ? null : pod.getSecurityContext().getRunAsNonRoot())) {
            problems.add(where + ": the pod must run as non-root");
        }
        Container container = pod.getContainers().getFirst();
        problems.addAll(containerProblems(where, container, false));
        problems.addAll(volumeProblems(where, container, pod.getVolumes()));
        return problems;
    }

    /** Port, probes, security and resources of the service's container. */
    private static List<String> containerProblems(String where, Container container, boolean knative) {
        List<String> problems = new ArrayList<>();
        if (container.getPorts().size() != 1 || container.getPorts().getFirst().getContainerPort() != SETTINGS.httpPort()) {
            problems.add(where + ": container port " + container.getPorts().stream().map(p -> String.valueOf(p.getContainerPort()))
                    .collect(Collectors.joining(", ")) + ", the service listens on " + SETTINGS.httpPort());
        }
        String portName = container.getPorts().isEmpty() ? null : container.getPorts().getFirst().getName();
        probeProblems(where, "livenessProbe", container.getLivenessProbe(), "live", portName, true, problems);
        probeProblems(where, "readinessProbe", container.getReadinessProbe(), "ready", portName, true, problems);
        probeProblems(where, "startupProbe", container.getStartupProbe(), "started", portName, !knative, problems);
        var security = container.getSecurityContext();
        if (security == null || !Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
            problems.add(where + ": the root filesystem must be read-only");
        }
        if (security == null || !Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
            problems.add(where + ": privilege escalation must be off");
        }
        var resources = container.getResources();
        if (resources == null || resources.getRequests() == null || !resources.getRequests().keySet().containsAll(List.of("cpu", "memory"))
                || resources.getLimits() == null || !resources.getLimits().containsKey("memory")) {
            problems.add(where + ": CPU and memory requests and a memory limit are required");
        }
        return problems;
    }

    private static void probeProblems(String where, String name, Probe probe, String kind, String portName, boolean required,
                                      List<String> problems) {
        if (probe == null) {
            if (required) {
                problems.add(where + ": no " + name);
            }
            return;
        }
        HTTPGetAction get = probe.getHttpGet();
        if (get == null) {
            problems.add(where + ": " + name + " must be an HTTP GET of " + SETTINGS.healthPath(kind));
            return;
        }
        if (!SETTINGS.healthPath(kind).equals(get.getPath())) {
            problems.add(where + ": " + name + " path " + get.getPath() + ", the service answers on " + SETTINGS.healthPath(kind));
        }
        IntOrString port = get.getPort();
        if (port != null && !Objects.equals(port.getStrVal(), portName) && !Objects.equals(port.getIntVal(), SETTINGS.httpPort())) {
            problems.add(where + ": " + name + " port " + port + " is not the service's port");
        }
    }

    /** /tmp is the one writable path of a read-only root filesystem. */
    private static List<String> volumeProblems(String where, Container container, List<Volume> volumes) {
        boolean tmp = container.getVolumeMounts().stream().anyMatch(mount -> mount.getMountPath().equals("/tmp")
                && volumes.stream().anyMatch(v -> v.getName().equals(mount.getName()) && v.getEmptyDir() != null));
        return tmp ? List.of() : List.of(where + ": /tmp must be an emptyDir");
    }

    private static List<String> metricsProblems(Deployment deployment) {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        List<String> problems = new ArrayList<>();
        if (!SETTINGS.metricsPath().equals(annotations.get("prometheus.io/path"))) {
            problems.add("prometheus.io/path " + annotations.get("prometheus.io/path") + ", metrics are at " + SETTINGS.metricsPath());
        }
        if (!String.valueOf(SETTINGS.httpPort()).equals(annotations.get("prometheus.io/port"))) {
            problems.add("prometheus.io/port " + annotations.get("prometheus.io/port") + ", not the service's port");
        }
        return problems;
    }

    private static List<String> serviceProblems(Service service, Deployment deployment) {
        List<String> problems = new ArrayList<>();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        if (!podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet())) {
            problems.add("the Service's selector does not select the Deployment's pods");
        }
        var port = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getPorts().getFirst();
        for (ServicePort servicePort : service.getSpec().getPorts()) {
            IntOrString target = servicePort.getTargetPort();
            if (!Objects.equals(target.getStrVal(), port.getName()) && !Objects.equals(target.getIntVal(), port.getContainerPort())) {
                problems.add("Service port " + servicePort.getName() + " targets " + target + ", not the container's port");
            }
        }
        return problems;
    }

    /** Env names in containers (patches included), in ConfigMaps and in the Secret: each must be one the service reads. */
    private static List<String> envProblems(Manifest manifest) {
        Collection<String> names = new ArrayList<>();
        switch (manifest.resource()) {
            case ConfigMap configMap when configMap.getData() != null -> names.addAll(configMap.getData().keySet());
            case Secret secret -> {
                if (secret.getStringData() != null) {
                    names.addAll(secret.getStringData().keySet());
                }
                if (secret.getData() != null) {
                    names.addAll(secret.getData().keySet());
                }
            }
            default -> containers(manifest.resource()).forEach(c -> {
                if (c.getEnv() != null) {
                    c.getEnv().forEach(e -> names.add(e.getName()));
                }
            });
        }
        return names.stream().filter(name -> !SETTINGS.reads(name))
                .map(name -> manifest.where() + ": env " + name + " is no setting the service reads").toList();
    }

    private static List<String> kustomizationProblems(Path kustomization) {
        Map<String, Object> spec = yaml(kustomization);
        Path dir = kustomization.getParent();
        String where = K8S.relativize(kustomization).toString();
        List<String> problems = new ArrayList<>();
        for (String resource : strings(spec.get("resources"))) {
            Path target = dir.resolve(resource).normalize();
            if (!Files.isRegularFile(target) && !Files.isRegularFile(target.resolve("kustomization.yaml"))) {
                problems.add(where + ": resource " + resource + " is neither a file nor a kustomization");
            }
        }
        List<HasMetadata> resources = resources(kustomization);
        for (Map<String, Object> patch : maps(spec.get("patches"))) {
            Path file = dir.resolve(String.valueOf(patch.get("path"))).normalize();
            if (!Files.isRegularFile(file)) {
                problems.add(where + ": patch " + patch.get("path") + " does not exist");
            } else if (patch.get("target") == null) {
                HasMetadata patched = parse(file);
                boolean found = resources.stream().anyMatch(r -> r.getKind().equals(patched.getKind())
                        && r.getMetadata().getName().equals(patched.getMetadata().getName()));
                if (!found) {
                    problems.add(where + ": patch " + patch.get("path") + " matches no " + patched.getKind() + " "
                            + patched.getMetadata().getName() + " among its resources");
                }
            }
        }
        for (Map<String, Object> image : maps(spec.get("images"))) {
            String name = String.valueOf(image.get("name"));
            boolean used = resources.stream().flatMap(r -> containers(r).stream()).map(Container::getImage)
                    .anyMatch(i -> i.equals(name) || i.startsWith(name + ":") || i.startsWith(name + "@"));
            if (!used) {
                problems.add(where + ": image " + name + " is in no container");
            }
        }
        return problems;
    }

    // --- reading the manifests ---

    private static List<Manifest> manifests() {
        return yamlFiles().filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                .map(f -> new Manifest(f, parse(f))).toList();
    }

    private static List<Path> kustomizations() {
        return yamlFiles().filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList();
    }

    private static Stream<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HasMetadata parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = MODELS.unmarshal(in);
            if (!(parsed instanceof HasMetadata resource)) {
                throw new AssertionError(file + " is not one Kubernetes resource: " + parsed);
            }
            return resource;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return MODELS.unmarshal(in, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The resources a kustomization builds on, through nested kustomizations (without applying patches). */
    private static List<HasMetadata> resources(Path kustomization) {
        List<HasMetadata> found = new ArrayList<>();
        for (String resource : strings(yaml(kustomization).get("resources"))) {
            Path target = kustomization.getParent().resolve(resource).normalize();
            if (Files.isRegularFile(target)) {
                found.add(parse(target));
            } else if (Files.isRegularFile(target.resolve("kustomization.yaml"))) {
                found.addAll(resources(target.resolve("kustomization.yaml")));
            }
        }
        return found;
    }

    private static Deployment baseDeployment() {
        return only(Deployment.class, "base/deployment.yaml");
    }

    private static <T extends HasMetadata> T only(Class<T> type, String file) {
        HasMetadata resource = parse(K8S.resolve(file));
        assertTrue(type.isInstance(resource), file + " is a " + resource.getClass().getName());
        return type.cast(resource);
    }

    private static List<Container> containers(HasMetadata resource) {
        List<Container> containers = switch (resource) {
            case Deployment d when d.getSpec() != null && d.getSpec().getTemplate() != null
                    && d.getSpec().getTemplate().getSpec() != null -> d.getSpec().getTemplate().getSpec().getContainers();
            case io.fabric8.knative.serving.v1.Service k when k.getSpec() != null && k.getSpec().getTemplate() != null
                    && k.getSpec().getTemplate().getSpec() != null -> k.getSpec().getTemplate().getSpec().getContainers();
            default -> List.of();
        };
        return containers == null ? List.of() : containers;
    }

    private static Set<String> envFromSources(Container container) {
        Set<String> sources = new LinkedHashSet<>();
        for (EnvFromSource source : container.getEnvFrom()) {
            if (source.getConfigMapRef() != null) {
                sources.add("ConfigMap " + source.getConfigMapRef().getName());
            }
            if (source.getSecretRef() != null) {
                sources.add("Secret " + source.getSecretRef().getName());
            }
        }
        return sources;
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    private static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<?>) list).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object list) {
        return list == null ? List.of() : (List<Map<String, Object>>) list;
    }

    /**
     * Fields the models did not recognize, by path: the models keep them in additionalProperties instead of
     * failing, so a misspelled {@code readinesProbe} would otherwise pass unnoticed.
     */
    private static List<String> unknownFields(Object node, String path) {
        List<String> found = new ArrayList<>();
        switch (node) {
            case null -> {
            }
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    found.addAll(unknownFields(list.get(i), path + "[" + i + "]"));
                }
            }
            case Map<?, ?> map -> map.forEach((key, value) -> found.addAll(unknownFields(value, path + "[" + key + "]")));
            default -> {
                if (!node.getClass().getPackageName().startsWith("io.fabric8")) {
                    return found;
                }
                for (Method getter : node.getClass().getMethods()) {
                    if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                        continue;
                    }
                    Object value = invoke(getter, node);
                    if (getter.getName().equals("getAdditionalProperties")) {
                        ((Map<?, ?>) value).keySet().forEach(key -> found.add("unknown field " + (path.isEmpty() ? "" : path + ".") + key));
                    } else {
                        String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                        found.addAll(unknownFields(value, path.isEmpty() ? name : path + "." + name));
                    }
                }
            }
        }
        return found;
    }

    private static Object invoke(Method getter, Object node) {
        try {
            return getter.invoke(node);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter.toString(), e);
        }
    }
}
