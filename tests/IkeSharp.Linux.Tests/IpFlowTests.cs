using IkeSharp.Engine.Negotiation;
using IkeSharp.Linux.Userspace;

namespace IkeSharp.Linux.Tests;

public class IpFlowTests
{
    private static readonly byte[] TcpV4 = Convert.FromHexString(
        "45000028000140004006" + "0000" + "0a010001" + "0a020005" + "d431" + "01bb" + "0000000000000000500200000000" + "0000");

    [Fact]
    public void IPv4_TCP_addresses_and_ports_are_read()
    {
        Assert.True(IpFlow.TryParse(TcpV4, out var flow));
        Assert.False(flow.V6);
        Assert.Equal(6, flow.Protocol);
        Assert.Equal(54321, flow.SourcePort);
        Assert.Equal(443, flow.DestinationPort);
    }

    [Theory]
    [InlineData("10.2.0.0/24", 0, true)]
    [InlineData("10.2.0.0/24", 6, true)]
    [InlineData("10.2.0.0/24", 17, false)]
    [InlineData("10.2.1.0/24", 0, false)]
    public void Selectors_match_destination_protocol_and_port(string prefix, byte protocol, bool matches)
    {
        Assert.True(IpFlow.TryParse(TcpV4, out var flow));
        var selector = SelectorRange.From(TrafficSelectorNarrowing.FromPrefix(prefix, protocol, 443, 443));

        Assert.Equal(matches, selector.Contains(flow, source: false));
    }

    [Fact]
    public void Port_restricted_selector_refuses_other_ports()
    {
        Assert.True(IpFlow.TryParse(TcpV4, out var flow));
        var https = SelectorRange.From(TrafficSelectorNarrowing.FromPrefix("10.2.0.0/24", 6, 80, 80));

        Assert.False(https.Contains(flow, source: false));
    }

    [Fact]
    public void Garbage_is_not_an_IP_packet()
    {
        Assert.False(IpFlow.TryParse(new byte[10], out _));
        Assert.False(IpFlow.TryParse(new byte[40], out _)); // version 0
    }
}
