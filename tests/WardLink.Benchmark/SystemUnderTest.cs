using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using WardLink.Simulator;

namespace WardLink.Benchmark;

/// <summary>A service or the gateway, run as its own process from its built Release dll.</summary>
public sealed class ServiceProcess(string name, int port, Process process) : IDisposable
{
    public string Name { get; } = name;

    public Uri Address { get; } = new($"http://127.0.0.1:{port}");

    public int Id => process.Id;

    /// <summary>The process's resident set now (VmRSS of /proc/PID/status), in bytes; 0 once it has exited.</summary>
    public long Sample()
    {
        try
        {
            var line = process.HasExited ? null : File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        process.Dispose();
    }
}

/// <summary>
/// The four services and the gateway as real processes on loopback ports, each service with its
/// own database role and broker user (WARDLINK_POSTGRES_&lt;SERVICE&gt;, WARDLINK_RABBITMQ_&lt;SERVICE&gt;,
/// which deploy/local-infra.sh env prints), in the Production environment with
/// warnings-only logging, as they would run on a server: a token signing key of their own, a
/// checkpoint signing key per service, and two police clients with random secrets: <see cref="Client"/>,
/// bound to no ward (so to the home ward), and <see cref="ProvinceClient"/>, of every ward of the home ward's province.
/// </summary>
public sealed class SystemUnderTest(string repository, int firstPort) : IAsyncDisposable
{
    public static readonly string[] Services = ["incidents", "patrols", "tips", "partners"];

    private const string GatewayDll = "gateway/WardLink.Gateway/bin/Release/net10.0/WardLink.Gateway.dll";
    private readonly string _contactKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _webhookKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly RSA _signingKey = RSA.Create(2048);
    private readonly Dictionary<string, ECDsa> _checkpointKeys = Services.ToDictionary(service => service, _ => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The benchmark's client of the token endpoint (role police), bound to no ward: it acts in the home ward.</summary>
    public ClientCredentials Client { get; } = new("benchmark", Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    /// <summary>The benchmark's province police (every ward of <see cref="ProvinceWards.Province"/>): it establishes wards and records in each.</summary>
    public ClientCredentials ProvinceClient { get; } = new("benchmark-province", Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
    private readonly Dictionary<string, ServiceProcess> _services = [];
    private readonly Dictionary<string, long> _peaks = [];
    private readonly Dictionary<string, long> _phasePeaks = [];
    private readonly Lock _lock = new();
    private ServiceProcess? _gateway;

    public ServiceProcess Gateway => _gateway ?? throw new InvalidOperationException("Not started.");

    public ServiceProcess Service(string name)
    {
        lock (_lock)
        {
            return _services[name];
        }
    }

    /// <summary>The variables a service's connection details come from, e.g. WARDLINK_POSTGRES_TIPS.</summary>
    public static IEnumerable<string> Variables =>
        Services.SelectMany(service => new[] { Variable("POSTGRES", service), Variable("RABBITMQ", service) });

    public static string ConnectionStringOf(string service) => Setting(Variable("POSTGRES", service));

    public async Task StartAsync(CancellationToken ct)
    {
        for (var i = 0; i < Services.Length; i++)
        {
            _services[Services[i]] = StartService(Services[i], firstPort + 1 + i);
        }

        var gateway = _services.ToDictionary(
            service => $"ReverseProxy__Clusters__{service.Key}__Destinations__primary__Address", service => service.Value.Address.ToString(), StringComparer.Ordinal);
        gateway["Auth__SigningKey"] = _signingKey.ExportPkcs8PrivateKeyPem();
        foreach (var client in new[] { Client, ProvinceClient })
        {
            gateway[$"Auth__Clients__{client.ClientId}__SecretHash"] = await HashSecretAsync(client.ClientSecret, ct);
            gateway[$"Auth__Clients__{client.ClientId}__Role"] = "police";
        }

        gateway[$"Auth__Clients__{ProvinceClient.ClientId}__Provinces__0"] = ProvinceWards.Province;

        // The benchmark measures capacity, not the per-client limit (600 a minute by default).
        gateway["RateLimits__PerClient__PermitLimit"] = "100000000";
        _gateway = Start("gateway", GatewayDll, firstPort, gateway);
        await WaitUntilReadyAsync(_gateway, ct);
    }

    /// <summary>Stops one service, runs <paramref name="work"/> (e.g. on its database), starts the service again on its port.</summary>
    public async Task StopForAsync(string service, Func<Task> work, CancellationToken ct)
    {
        ServiceProcess old;
        lock (_lock)
        {
            old = _services[service];
            _services.Remove(service);
        }

        old.Dispose();
        await work();
        var restarted = StartService(service, old.Address.Port);
        lock (_lock)
        {
            _services[service] = restarted;
        }

        await WaitUntilReadyAsync(_gateway!, ct);
    }

    /// <summary>The largest resident set seen of each process by name (a restarted service keeps its peak), in bytes.</summary>
    public IReadOnlyDictionary<string, long> PeakWorkingSets
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, long>(_peaks);
            }
        }
    }

    /// <summary>Each process's peak resident set since <see cref="StartPhase"/>.</summary>
    public IReadOnlyDictionary<string, long> PhasePeakWorkingSets
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, long>(_phasePeaks);
            }
        }
    }

    /// <summary>Starts a phase of its own peaks (<see cref="PhasePeakWorkingSets"/>); the run's peaks go on.</summary>
    public void StartPhase()
    {
        lock (_lock)
        {
            _phasePeaks.Clear();
        }
    }

    /// <summary>The process ids of the services and the gateway, by name.</summary>
    public IReadOnlyDictionary<int, string> ProcessNames() =>
        _services.Values.Append(Gateway).ToDictionary(process => process.Id, process => process.Name);

    public void SampleWorkingSets()
    {
        lock (_lock)
        {
            foreach (var process in _services.Values.Append(Gateway))
            {
                var sample = process.Sample();
                _peaks[process.Name] = Math.Max(_peaks.GetValueOrDefault(process.Name), sample);
                _phasePeaks[process.Name] = Math.Max(_phasePeaks.GetValueOrDefault(process.Name), sample);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var process in _services.Values)
        {
            process.Dispose();
        }

        _gateway?.Dispose();
        _signingKey.Dispose();
        foreach (var key in _checkpointKeys.Values)
        {
            key.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static async Task WaitUntilReadyAsync(ServiceProcess gateway, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (true)
        {
            try
            {
                using var answer = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(ct)}";
                if (answer.IsSuccessStatusCode && last.Contains("\"status\":\"Healthy\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception notYet) when (notYet is HttpRequestException || (notYet is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // not listening, or too busy starting to answer within the client's timeout
                last = notYet.Message;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException($"The gateway and the services were not all ready within 90 s; the gateway's readiness last said: {last} (logs: .local/bench/*.log).");
            }

            await Task.Delay(250, ct);
        }
    }

    private ServiceProcess StartService(string service, int port)
    {
        var project = $"WardLink.{char.ToUpperInvariant(service[0])}{service[1..]}";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Postgres"] = ConnectionStringOf(service),
            ["ConnectionStrings__RabbitMq"] = Setting(Variable("RABBITMQ", service)),
            ["Tips__ContactKey"] = _contactKey,
            ["Webhooks__SecretKey"] = _webhookKey,
            ["Auth__PublicKey"] = _signingKey.ExportSubjectPublicKeyInfoPem(),
            ["Audit__SigningKey"] = _checkpointKeys[service].ExportPkcs8PrivateKeyPem(),
        };
        foreach (var (peer, key) in _checkpointKeys)
        {
            environment[$"Audit__PublicKeys__{peer}"] = key.ExportSubjectPublicKeyInfoPem();
        }

        return Start(service, $"services/{project}/bin/Release/net10.0/{project}.dll", port, environment);
    }

    private static string Variable(string what, string service) => $"WARDLINK_{what}_{service.ToUpperInvariant()}";

    private static string Setting(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{variable} is not set: run ./bench.sh.");

    /// <summary>The secret's hash as the gateway's configuration takes it (<c>WardLink.Gateway.dll hash-secret</c>).</summary>
    private async Task<string> HashSecretAsync(string secret, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(repository, GatewayDll), "hash-secret", secret]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run the gateway's hash-secret.");
        var hash = (await process.StandardOutput.ReadToEndAsync(ct)).Trim();
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 && hash.Length > 0 ? hash : throw new InvalidOperationException("The gateway's hash-secret failed.");
    }

    private ServiceProcess Start(string name, string dll, int port, Dictionary<string, string> environment)
    {
        var path = Path.Combine(repository, dll);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build the solution in Release first (bench.sh does).");
        }

        var start = new ProcessStartInfo("dotnet", [path])
        {
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The load's sockets complete inline (bench.sh); the system runs as it is deployed.
        start.Environment.Remove(Load.InlineCompletions);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var log = Path.Combine(repository, ".local", "bench", $"{name}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { lock (writer) { writer.WriteLine(line.Data); } } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { lock (writer) { writer.WriteLine(line.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, port, process);
    }
}
