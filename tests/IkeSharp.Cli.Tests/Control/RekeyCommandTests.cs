using System.CommandLine;
using System.Text.Json.Nodes;
using IkeSharp.Cli.Control;

namespace IkeSharp.Cli.Tests.Control;

/// <summary><c>ikesharp rekey TUNNEL [--child NAME | --ike]</c> and the rekey and expiry times <c>status</c> prints.</summary>
public sealed class RekeyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(new[] { "rekey", "customer" }, "{\"command\":\"rekey\",\"tunnel\":\"customer\",\"child\":null,\"ike\":false}")]
    [InlineData(new[] { "rekey", "customer", "--child", "net" }, "{\"command\":\"rekey\",\"tunnel\":\"customer\",\"child\":\"net\",\"ike\":false}")]
    [InlineData(new[] { "rekey", "customer", "--ike" }, "{\"command\":\"rekey\",\"tunnel\":\"customer\",\"child\":null,\"ike\":true}")]
    public async Task Rekey_asks_the_daemon_for_the_SAs_named(string[] args, string request)
    {
        var path = Path.Combine(_dir, "control.sock");
        using var daemon = new FakeDaemon(path, "{\"ok\":true,\"message\":\"rekeying\"}");
        var root = new RootCommand();
        ControlCommands.AddTo(root);

        var exit = await root.Parse([.. args, "--socket", path]).InvokeAsync();

        Assert.Equal(0, exit);
        Assert.Equal(request, await daemon.Request.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Child_and_ike_together_are_refused_before_the_daemon_is_asked()
    {
        var root = new RootCommand();
        ControlCommands.AddTo(root);

        var result = root.Parse(["rekey", "customer", "--child", "net", "--ike"]);

        Assert.Contains(result.Errors, e => e.Message == "give --child or --ike, not both");
    }

    [Fact]
    public void Status_prints_when_each_SA_rekeys_and_expires()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var status = JsonNode.Parse($$"""
            {"tunnels":[{"name":"customer","state":"up","remote_addrs":"198.51.100.7","ike_sas":[{
              "state":"ESTABLISHED","initiator":true,"initiator-spi":"a1","responder-spi":"b2","local-host":"192.0.2.1","local-port":500,
              "local-id":"1.2.3.4","remote-host":"198.51.100.7","remote-port":500,"remote-id":"vpn","proposal":"IKE:AES_GCM_16_256",
              "nat-local":false,"nat-remote":false,"encap":false,"established":{{now - 1800}},"rekey-time":13500,"life-time":15300,
              "child-sas":[{"name":"net","reqid":1,"spi-in":"c3","spi-out":"d4","proposal":"ESP:AES_GCM_16_256","local-ts":"1.2.3.4/32",
                "remote-ts":"172.31.0.0/16","established":{{now - 30}},"rekey-time":3000,"life-time":3930}]}]}]}
            """)!.AsObject();

        var text = StatusText.Render(status);

        Assert.Contains("established 30m ago, rekeying in 3h 45m, expires in 4h 15m", text, StringComparison.Ordinal);
        Assert.Contains("net: reqid 1, ESP:AES_GCM_16_256, rekeying in 50m, expires in 65m", text, StringComparison.Ordinal);
    }
}
