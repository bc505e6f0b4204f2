using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Grains.Artifacts;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Build.Substitution;
using Granary.Testing;

namespace Granary.Tests.Build;

/// <summary>
/// The in-memory renderer must give exactly what Flux's generated kustomization gives through the kustomize binary:
/// same objects, same fields and values, same order. Every case is built both ways from the same artifact.
/// </summary>
public sealed class Native_rendering_matches_kustomize : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("granary-native-").FullName;
    private readonly KustomizeBuilder _builder = new(new KustomizeOptions { KubectlPath = Tools.Kubectl });
    private readonly ArtifactLimits _limits = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string App = """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: app
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: app
        spec:
          clusterIP: None
          selector: {app: app}
          ports:
          - name: http
            port: 80
            protocol: TCP
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: app
        spec:
          rules:
          - host: app.example.com
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: app
                    port:
                      number: 80
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
          labels:
            tier: "web"
            empty: null
        spec:
          replicas: 0
          selector:
            matchLabels:
              app: app
          template:
            metadata:
              labels:
                app: app
            spec:
              serviceAccountName: app
              containers:
              - name: app
                image: nginx:1.25
                args: ["--port", "80", "--verbose=true"]
                env:
                - {name: ENABLED, value: "yes"}
                - name: RATIO
                  value: "0.5"
                resources:
                  limits: {cpu: 1.5, memory: 64Mi}
              initContainers:
              - name: init
                image: registry.local:5000/tools/busybox@sha256:aaaa
        """;

    private const string Mixed = """
        # a comment before the first document
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
        rules:
        - apiGroups: [""]
          resources: [pods]
          verbs: [get, list]
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: gadget
          namespace: elsewhere
        spec:
          on: on
          answer: yes
          plain: True
          ratio: 1.0
          containers:
          - image: nginx
          deep:
            initContainers:
            - image: nginx:old
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: nightly
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: job
                    image: busybox:1.36
                    command:
                    - sh
                    - -c
                    - |
                      echo nightly
                      date
        ---
        """;

    private const string Ordering = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: b}
        data: {k: v}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a, namespace: zeta}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, namespace: alpha}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: last}
        webhooks: []
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: nginx}
        ---
        apiVersion: zeta.example.com/v1
        kind: Thing
        metadata: {name: t}
        ---
        apiVersion: alpha.example.com/v2
        kind: Thing
        metadata: {name: t}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: pdb}
        spec: {maxUnavailable: 1}
        """;

    private const string Variables = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: ${NAME:=web}
        spec:
          replicas: ${REPLICAS}
          template:
            spec:
              containers:
              - name: web
                image: "nginx:${TAG}"
                args: ["$${NOT_A_VAR}", "${MISSING:=fallback}"]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: literal
          annotations:
            kustomize.toolkit.fluxcd.io/substitute: disabled
        data:
          script: echo ${HOME}
        """;

    public static TheoryData<string> SupportedCases => ["app", "app-namespaced", "app-images", "mixed", "mixed-namespaced", "ordering", "tree", "variables", "crlf", "bom"];

    [Theory]
    [MemberData(nameof(SupportedCases))]
    public async Task Supported_layouts_render_exactly_as_kustomize(string name)
    {
        var (files, spec, variables) = Case(name);
        var source = WriteSource(name, files);
        var packed = new ArtifactBuilder(_limits).Pack(source, SourceIgnore.ForTree(source, null));
        var transform = variables is null ? null : Substitution(variables);

        var native = _builder.TryBuildInMemory(await new ArtifactExtractor(_limits).ReadAsync(packed.Bytes), spec, transform);
        var workspace = Path.Combine(_root, name + "-disk");
        await new ArtifactExtractor(_limits).ExtractAsync(packed.Bytes, workspace);
        var kustomize = await _builder.BuildAsync(workspace, spec, CancellationToken.None, transform);

        Assert.NotNull(native);
        Assert.NotEmpty(native);
        Assert.Equal(kustomize.Select(Canonical).ToList(), native.Select(Canonical).ToList());
    }

    public static TheoryData<string, string> DeclinedCases => new()
    {
        { "nested-kustomization", "kustomization file" },
        { "name-prefix", "name prefixes" },
        { "octal", "kustomize's own reading" },
        { "timestamp", "kustomize's own reading" },
        { "list", "kustomize's own reading" },
        { "sops", "kustomize's own reading" },
        { "rolebinding-namespaced", "namespace transform" },
        { "duplicate", "same identity" },
        { "document-marker", "kustomize's own reading" },
    };

    [Theory]
    [MemberData(nameof(DeclinedCases))]
    public async Task Layouts_it_does_not_know_are_left_to_kustomize(string name, string why)
    {
        var (files, spec, _) = Case(name);
        var source = WriteSource(name, files);
        var packed = new ArtifactBuilder(_limits).Pack(source, SourceIgnore.ForTree(source, null));

        var (objects, declined) = PlainDirectoryRenderer.TryRender(await new ArtifactExtractor(_limits).ReadAsync(packed.Bytes), spec, null);

        Assert.Null(objects);
        Assert.Contains(why, declined);
    }

    [Fact]
    public void Image_references_split_like_kustomize()
    {
        Assert.Equal(("nginx", "1.25", ""), KustomizeImages.Split("nginx:1.25"));
        Assert.Equal(("registry.local:5000/app", "", ""), KustomizeImages.Split("registry.local:5000/app"));
        Assert.Equal(("registry.local:5000/app", "v1", "sha256:ab"), KustomizeImages.Split("registry.local:5000/app:v1@sha256:ab"));
        Assert.Equal(("app", "", "sha256:ab"), KustomizeImages.Split("app@sha256:ab"));
        Assert.Equal("nginx:2", KustomizeImages.Update("nginx:1@sha256:ab", new KustomizeImage { Name = "nginx", NewTag = "2" }));
        Assert.Equal("mirror/nginx:1@sha256:ab", KustomizeImages.Update("nginx:1@sha256:ab", new KustomizeImage { Name = "nginx", NewName = "mirror/nginx" }));
        Assert.Null(KustomizeImages.Update("nginx-extra:1", new KustomizeImage { Name = "nginx", NewTag = "2" }));
    }

    private (Dictionary<string, string> Files, KustomizationSpec Spec, Dictionary<string, string>? Variables) Case(string name)
    {
        var images = new List<KustomizeImage>
        {
            new() { Name = "nginx", NewTag = "1.27" },
            new() { Name = "registry.local:5000/tools/busybox", NewName = "mirror.local/busybox", NewTag = "1.36" },
            new() { Name = "busybox", Digest = "sha256:bbbb" },
        };
        return name switch
        {
            "app" => (new() { ["deploy/app.yaml"] = App }, Spec("./deploy"), null),
            "app-namespaced" => (new() { ["deploy/app.yaml"] = App }, Spec("./deploy") with { TargetNamespace = "team-a" }, null),
            "app-images" => (new() { ["deploy/app.yaml"] = App, ["deploy/mixed.yaml"] = Mixed }, Spec("deploy/") with { TargetNamespace = "team-a", Images = images }, null),
            "mixed" => (new() { ["m/mixed.yaml"] = Mixed }, Spec("./m"), null),
            "mixed-namespaced" => (new() { ["m/mixed.yaml"] = Mixed }, Spec("./m") with { TargetNamespace = "team-b" }, null),
            "ordering" => (new() { ["o/all.yaml"] = Ordering }, Spec("./o"), null),
            "tree" => (new()
            {
                ["t/a.yaml"] = App,
                ["t/sub/deeper/mixed.yml"] = Mixed,
                ["t/values.yaml"] = "replicaCount: 3\nimage: nginx\n",
                ["t/README.md"] = "# not a manifest\n",
                ["t/.hidden/ignored.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n",
                ["t/config.json"] = """{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-json"}, "data": {"a": "1"}}""",
            }, Spec("./t") with { TargetNamespace = "tree" }, null),
            "variables" => (new() { ["v/app.yaml"] = Variables }, Spec("./v"), new() { ["REPLICAS"] = "3", ["TAG"] = "1.27", ["HOME"] = "/root" }),
            "crlf" => (new() { ["c/app.yaml"] = App.ReplaceLineEndings("\r\n") }, Spec("./c") with { TargetNamespace = "crlf" }, null),
            "bom" => (new() { ["b/app.yaml"] = "\uFEFF" + App }, Spec("./b"), null),
            "nested-kustomization" => (new() { ["n/app.yaml"] = App, ["n/sub/kustomization.yaml"] = "resources: []\n" }, Spec("./n"), null),
            "name-prefix" => (new() { ["p/app.yaml"] = App }, Spec("./p") with { NamePrefix = "dev-" }, null),
            "octal" => (new() { ["x/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {mode: 0755}\n" }, Spec("./x"), null),
            "timestamp" => (new() { ["x/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  since: 2024-01-01\n" }, Spec("./x"), null),
            "list" => (new() { ["x/list.yaml"] = "apiVersion: v1\nkind: List\nmetadata: {name: l}\nitems: []\n" }, Spec("./x"), null),
            "sops" => (new() { ["x/s.yaml"] = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: ENC}\nsops: {mac: ENC}\n" }, Spec("./x"), null),
            "rolebinding-namespaced" => (new() { ["x/rb.yaml"] = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: []\n" }, Spec("./x") with { TargetNamespace = "t" }, null),
            "duplicate" => (new() { ["x/a.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n", ["x/b.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n" }, Spec("./x"), null),
            "document-marker" => (new() { ["x/a.yaml"] = "--- !!map\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" }, Spec("./x"), null),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static KustomizationSpec Spec(string path) => new()
    {
        Path = path,
        Interval = GoDuration.Parse("10m"),
        Prune = true,
        SourceRef = new CrossNamespaceSourceReference { Kind = "GitRepository", Name = "fleet" },
    };

    private string WriteSource(string name, Dictionary<string, string> files)
    {
        var source = Path.Combine(_root, name);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(source, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        return source;
    }

    private static Func<string, IReadOnlyList<JsonObject>, string> Substitution(Dictionary<string, string> variables) => (text, parsed) =>
        parsed.Any(o => o["metadata"]?["annotations"]?["kustomize.toolkit.fluxcd.io/substitute"]?.GetValue<string>() == "disabled")
            ? text
            : VariableSubstitution.Substitute(text, variables);

    /// <summary>The object as JSON with keys sorted at every level, so field order does not matter but values do.</summary>
    private static string Canonical(JsonObject item) => Sorted(item)!.ToJsonString();

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject map => new JsonObject(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray list => new JsonArray(list.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
