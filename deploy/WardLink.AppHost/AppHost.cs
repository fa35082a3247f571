// The local "start everything" host: the four services and the gateway as plain processes (no
// Docker), wired to the PostgreSQL and RabbitMQ that deploy/local-infra.sh runs, plus the Aspire
// dashboard receiving every process's OpenTelemetry. run.sh is the usual way in:
//
//   eval "$(deploy/local-infra.sh env)"
//   dotnet run --project deploy/WardLink.AppHost --no-launch-profile
//
// Environment, for each service (INCIDENTS, PATROLS, TIPS, PARTNERS), with the service's own
// PostgreSQL role and RabbitMQ user (deploy/local-infra.sh env prints them):
//   WARDLINK_POSTGRES_<SERVICE>             Npgsql connection string of its database (required)
//   WARDLINK_RABBITMQ_<SERVICE>             amqp:// URI of the broker (required)
//   WARDLINK_RABBITMQ_MANAGEMENT_<SERVICE>  http:// URI of its management API (optional: the error-queue gauge)
//   WARDLINK_GATEWAY_PORT    gateway port (default 5080); the services use 5101-5104
//   WARDLINK_DASHBOARD_PORT  dashboard port (default 18888); OTLP/gRPC on +1, OTLP/HTTP on +2 unless
//                            WARDLINK_OTLP_GRPC_PORT / WARDLINK_OTLP_HTTP_PORT say otherwise
//
// The dashboard is for a developer's own machine: plain HTTP on 127.0.0.1 and no login token.
// Any ASPIRE_*/ASPNETCORE_URLS setting given in the environment or on the command line still wins.

using System.Globalization;

const string Loopback = "127.0.0.1";

string[] serviceNames = ["incidents", "patrols", "tips", "partners"];
var missing = serviceNames
    .SelectMany(name => new[] { Variable("POSTGRES", name), Variable("RABBITMQ", name) })
    .Where(variable => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
    .ToList();
if (missing.Count > 0)
{
    await Console.Error.WriteLineAsync(
        $"WardLink.AppHost: {string.Join(", ", missing)} must be set (each service's connection details, with its own credentials).\n" +
        "Start the local infrastructure and load its settings first:\n" +
        "  deploy/local-infra.sh start && eval \"$(deploy/local-infra.sh env)\"\n" +
        "or use ./run.sh, which does both.");
    return 2;
}

int gatewayPort, dashboardPort, otlpGrpcPort, otlpHttpPort;
try
{
    gatewayPort = Port("WARDLINK_GATEWAY_PORT", 5080);
    dashboardPort = Port("WARDLINK_DASHBOARD_PORT", 18888);
    otlpGrpcPort = Port("WARDLINK_OTLP_GRPC_PORT", dashboardPort + 1);
    otlpHttpPort = Port("WARDLINK_OTLP_HTTP_PORT", dashboardPort + 2);
}
catch (FormatException invalid)
{
    await Console.Error.WriteLineAsync($"WardLink.AppHost: {invalid.Message}");
    return 2;
}

// Dashboard and OTLP addresses, and "no login" for local use. Aspire reads these while the builder
// is constructed, so they go in as command-line configuration ahead of the real arguments; a value
// already in the environment is left alone (environment variables rank below the command line).
string[] localDefaults =
[
    .. Default("ASPNETCORE_URLS", Url(dashboardPort)),
    .. Default("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", Url(otlpGrpcPort)),
    .. Default("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", Url(otlpHttpPort)),
    .. Default("ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "true"),
    .. Default("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true"),
    // No calls home from a local run: no NuGet version check, no dashboard usage telemetry.
    .. Default("ASPIRE_VERSION_CHECK_DISABLED", "true"),
    .. Default("ASPIRE_DASHBOARD_TELEMETRY_OPTOUT", "true"),
];

var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    Args = [.. localDefaults, .. args],
    // Every service's console output also goes to the AppHost's log (category
    // WardLink.AppHost.Resources.<name>), which run.sh keeps in .local/run/logs/apphost.log.
    EnableResourceLogging = true,
});

var services = new[]
{
    Service(builder.AddProject<Projects.WardLink_Incidents>("incidents"), "incidents", 5101),
    Service(builder.AddProject<Projects.WardLink_Patrols>("patrols"), "patrols", 5102),
    Service(builder.AddProject<Projects.WardLink_Tips>("tips"), "tips", 5103),
    Service(builder.AddProject<Projects.WardLink_Partners>("partners"), "partners", 5104),
};

var gateway = Listen(builder.AddProject<Projects.WardLink_Gateway>("gateway"), gatewayPort);
foreach (var (name, port, service) in services)
{
    var address = Url(port) + "/";
    gateway
        .WithEnvironment($"ReverseProxy__Clusters__{name}__Destinations__primary__Address", address)
        .WaitFor(service);
}

await builder.Build().RunAsync();
return 0;

// A service on its fixed port with its own database and broker user.
static (string Name, int Port, IResourceBuilder<ProjectResource> Resource) Service(
    IResourceBuilder<ProjectResource> project, string name, int port)
{
    Listen(project, port)
        .WithEnvironment("ConnectionStrings__Postgres", Environment.GetEnvironmentVariable(Variable("POSTGRES", name)) ?? string.Empty)
        .WithEnvironment("ConnectionStrings__RabbitMq", Environment.GetEnvironmentVariable(Variable("RABBITMQ", name)) ?? string.Empty);
    if (Environment.GetEnvironmentVariable(Variable("RABBITMQ_MANAGEMENT", name)) is { Length: > 0 } management)
    {
        project.WithEnvironment("ConnectionStrings__RabbitMqManagement", management);
    }

    return (name, port, project);
}

// WARDLINK_<WHAT>_<SERVICE>, e.g. WARDLINK_POSTGRES_TIPS.
static string Variable(string what, string service) => $"WARDLINK_{what}_{service.ToUpperInvariant()}";

// Fixed port, bound by the process itself (no Aspire proxy in between), so the addresses in
// appsettings.json, the docs and the curl examples are the real ones. Plain HTTP on loopback:
// without WithoutHttpsCertificate() Aspire would look for a trusted ASP.NET Core development
// certificate and show "No trusted development certificate" in the dashboard. /health/ready
// (the dependencies answer) is what WaitFor and the dashboard's health column use.
static IResourceBuilder<ProjectResource> Listen(IResourceBuilder<ProjectResource> project, int port)
{
    project
        .WithHttpEndpoint(port: port, name: "http", isProxied: false)
        .WithEnvironment("Urls", Url(port))
        // One plain line per log entry in the AppHost's log (the dashboard has the structured logs).
        .WithEnvironment("Logging__Console__FormatterName", "simple")
        .WithEnvironment("Logging__Console__FormatterOptions__SingleLine", "true")
        .WithEnvironment("Logging__Console__FormatterOptions__ColorBehavior", "Disabled")
        .WithHttpHealthCheck("/health/ready");
#pragma warning disable ASPIRECERTIFICATES001 // Experimental in Aspire 13.6; the only switch for "this resource uses no TLS".
    return project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
}

// A plain string: an interpolated string literal would bind to Aspire's ReferenceExpression overload.
static string Url(int port) => string.Create(CultureInfo.InvariantCulture, $"http://{Loopback}:{port}");

static int Port(string variable, int fallback)
{
    var value = Environment.GetEnvironmentVariable(variable);
    if (string.IsNullOrWhiteSpace(value))
    {
        return fallback;
    }

    return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
        ? port
        : throw new FormatException($"{variable}='{value}' is not a TCP port number.");
}

static string[] Default(string key, string value) =>
    string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)) ? [$"--{key}={value}"] : [];
