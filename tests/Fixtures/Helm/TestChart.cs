namespace Granary.Testing.Helm;

/// <summary>
/// A small chart for tests: a ConfigMap <c>&lt;release&gt;-settings</c> (greeting, chart version, every key of
/// <c>.Values.extra</c>) and a Deployment <c>&lt;release&gt;-app</c> with <c>.Values.replicas</c> (default 0: healthy with no node).
/// </summary>
public sealed record TestChart(string Name, string Version, string? AppVersion = "1.0.0")
{
    /// <summary>values.yaml of the chart.</summary>
    public string Values { get; init; } = "greeting: hello\nreplicas: 0\nextra: {}\n";

    /// <summary>Further files (path relative to the chart → content), e.g. a broken template or a values-prod.yaml.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>The chart's files as written to disk.</summary>
    public IReadOnlyDictionary<string, string> AllFiles()
    {
        var files = new Dictionary<string, string>
        {
            ["Chart.yaml"] = $"apiVersion: v2\nname: {Name}\nversion: {Version}\n{(AppVersion is null ? string.Empty : $"appVersion: \"{AppVersion}\"\n")}",
            ["values.yaml"] = Values,
            ["templates/configmap.yaml"] = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-settings
                data:
                  greeting: {{ .Values.greeting | quote }}
                  chartVersion: {{ .Chart.Version | quote }}
                  {{- range $key, $value := .Values.extra }}
                  {{ $key }}: {{ $value | quote }}
                  {{- end }}
                """,
            ["templates/deployment.yaml"] = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ .Release.Name }}-app
                spec:
                  replicas: {{ .Values.replicas }}
                  selector:
                    matchLabels:
                      app: {{ .Release.Name }}
                  template:
                    metadata:
                      labels:
                        app: {{ .Release.Name }}
                    spec:
                      containers:
                        - name: app
                          image: registry.example/app:{{ .Chart.AppVersion }}
                """,
        };
        foreach (var (path, content) in Files)
        {
            files[path] = content;
        }

        return files;
    }

    /// <summary>A template that the API server refuses (a Service port out of range), to make an install or upgrade fail.</summary>
    public static IReadOnlyDictionary<string, string> BrokenService => new Dictionary<string, string>
    {
        ["templates/service.yaml"] = """
            apiVersion: v1
            kind: Service
            metadata:
              name: {{ .Release.Name }}-broken
            spec:
              selector:
                app: {{ .Release.Name }}
              ports:
                - port: 99999
            """,
    };
}
