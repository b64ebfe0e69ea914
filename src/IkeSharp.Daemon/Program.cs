using System.CommandLine;
using IkeSharp.Config;
using IkeSharp.Daemon.Control;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Engine;
using IkeSharp.Linux;
using IkeSharp.Linux.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

var config = new Option<FileInfo>("--config") { Description = "ikesharp.conf to run with (a swanctl.conf or ipsec.conf is imported in memory)", Required = true };
var secrets = new Option<FileInfo?>("--secrets") { Description = "secrets file (default: the config's 'secrets' key, else secrets.conf beside it; for an ipsec.conf, the ipsec.secrets beside it)" };
var socket = new Option<string?>("--socket") { Description = $"control socket path (default {ConfigLoader.DefaultSocket})" };
var logFormat = new Option<string>("--log-format") { Description = "text or json (stdout and the log file)", HelpName = "text|json", DefaultValueFactory = _ => "text" };
logFormat.Validators.Add(result =>
{
    // Anything else used to fall back to text, hiding a typo such as "jsno" until someone parsed the log.
    if (result.GetValueOrDefault<string>() is not ("text" or "json") and var value)
    {
        result.AddError($"Option '--log-format' must be text or json, not '{value}'.");
    }
});
var logFile = new Option<FileInfo?>("--log-file") { Description = "also append the log to this file (default: the config's 'log_file' key); reopened on SIGHUP, for logrotate" };
var logLevel = new Option<LogEventLevel>("--log-level") { Description = "Verbose, Debug, Information, Warning, Error", DefaultValueFactory = _ => LogEventLevel.Information };
var datapath = new Option<DatapathKind?>("--datapath") { Description = "override the config's datapath (auto, kernel, userspace, record)" };
var root = new RootCommand("ikesharpd: the IkeSharp IKEv2 daemon") { config, secrets, socket, logFormat, logFile, logLevel, datapath };
root.SetAction(async (result, cancellation) =>
{
    DaemonSettings settings;
    LogFile? file;
    var json = result.GetValue(logFormat) == "json";
    var source = new ConfigSource(result.GetValue(config)!.FullName, result.GetValue(secrets)?.FullName, result.GetValue(socket), result.GetValue(logFile)?.FullName, result.GetValue(datapath));
    try
    {
        settings = source.Load();
        file = settings.LogFile is { } fileSettings ? LogFile.Open(fileSettings, json) : null;
    }
    catch (ConfigException e)
    {
        await Console.Error.WriteLineAsync($"ikesharpd: invalid configuration: {e.Message}").ConfigureAwait(false);
        return 78; // EX_CONFIG
    }

    var broadcast = new LogBroadcast();
    var logger = new LoggerConfiguration()
        .MinimumLevel.Is(result.GetValue(logLevel))
        .Enrich.FromLogContext()
        .WriteTo.Sink(broadcast);
    logger = json
        ? logger.WriteTo.Console(new CompactJsonFormatter())
        : logger.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Tunnel} {Message:lj}{NewLine}{Exception}");
    if (file is not null)
    {
        logger = logger.WriteTo.Sink(file);
    }

    Log.Logger = logger.CreateLogger();

    // No defaults: IkeSharp reads no appsettings.json, and the default content root (the working
    // directory, "/" under systemd) would put a file watch on every directory of the system.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
    builder.Logging.ClearProviders();
    builder.Services.AddSerilog();
    // Type=notify: READY=1 once every hosted service started (sockets bound, NAT applied), then
    // watchdog pings. Whoever set NOTIFY_SOCKET is listening, even when it is not systemd itself.
    builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
    if (Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is not null)
    {
        builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
    }
    builder.Services.AddSingleton(settings);
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddSingleton<UdpTransport>();
    builder.Services.AddSingleton<IDatapath>(sp => DatapathFactory.Create(settings, sp.GetRequiredService<UdpTransport>(), sp.GetRequiredService<ILoggerFactory>()));
    builder.Services.AddSingleton(sp => sp.GetRequiredService<EngineHost>().Engine);
    builder.Services.AddSingleton(source);
    builder.Services.AddSingleton(broadcast);
    if (file is not null)
    {
        builder.Services.AddSingleton(file); // ConfigReload reopens it; the Serilog logger disposes it
    }

    builder.Services.AddSingleton<EngineHost>();
    builder.Services.AddSingleton<GatewayPolicy>();
    builder.Services.AddSingleton<ConfigReload>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayPolicy>());
    builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
    builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReload>());
    builder.Services.AddHostedService<ControlServer>();
    builder.Services.AddHostedService<SystemdWatchdog>();
    try
    {
        using var host = builder.Build();
        await host.RunAsync(cancellation).ConfigureAwait(false);
        return 0;
    }
    catch (ConfigException e)
    {
        // Found while starting (a sysctl that cannot be set): the same refusal as a config that does not load.
        await Console.Error.WriteLineAsync($"ikesharpd: invalid configuration: {e.Message}").ConfigureAwait(false);
        return 78; // EX_CONFIG
    }
    catch (InvalidOperationException e)
    {
        Log.Fatal("ikesharpd: {Error}", e.Message);
        return 1;
    }
    finally
    {
        await Log.CloseAndFlushAsync().ConfigureAwait(false);
    }
});

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
