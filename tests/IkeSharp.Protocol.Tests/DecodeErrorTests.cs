namespace IkeSharp.Protocol.Tests;

/// <summary>Malformed input is rejected with the payload, the offset and a reason.</summary>
public class DecodeErrorTests
{
    private const string Header = "0102030405060708 0000000000000000";

    private static DecodeError Error(string hex)
    {
        var bytes = Hex.Parse(hex);
        var e = Assert.Throws<IkeDecodeException>(() => IkeMessage.Decode(bytes));
        Assert.False(IkeMessage.TryDecode(bytes, out _, out var error));
        Assert.Equal(e.Error, error);
        return error;
    }

    /// <summary>Header plus payload octets with the header's Length field set to match.</summary>
    private static string Message(string next, string payloads, byte flags = 0x08, byte exchange = 0x22)
    {
        var length = 28 + Hex.Parse(payloads).Length;
        return $"{Header} {next} 20 {exchange:x2} {flags:x2} 00000000 {length:x8} {payloads}";
    }

    [Fact]
    public void Datagram_shorter_than_a_header()
    {
        var e = Error("0102030405");
        Assert.Null(e.Payload);
        Assert.Contains("shorter than the 28-octet IKE header", e.Reason);
    }

    [Fact]
    public void Header_length_differs_from_datagram()
        => Assert.Contains("differs from the datagram", Error($"{Header} 00 20 22 08 00000000 00000040").Reason);

    [Fact]
    public void Unknown_major_version()
        => Assert.Contains("major version 3", Error($"{Header} 00 30 22 08 00000000 0000001c").Reason);

    [Fact]
    public void Payload_length_below_the_generic_header()
    {
        var e = Error(Message("28", "00 00 0002 00000000"));
        Assert.Equal(PayloadType.Nonce, e.Payload);
        Assert.Equal(28, e.Offset);
        Assert.Contains("shorter than its 4-octet header", e.Reason);
    }

    [Fact]
    public void Payload_length_beyond_the_datagram()
    {
        var e = Error(Message("2b", "00 00 0010 aabbccdd"));
        Assert.Equal(PayloadType.V, e.Payload);
        Assert.Contains("exceeds the 8 octets left", e.Reason);
    }

    [Fact]
    public void Next_payload_announced_but_message_ends()
    {
        var e = Error(Message("2b", "29 00 0008 aabbccdd"));
        Assert.Equal(PayloadType.N, e.Payload);
        Assert.Equal(36, e.Offset);
    }

    [Fact]
    public void Proposal_longer_than_its_SA_payload()
    {
        var e = Error(Message("21", "00 00 000c  00 00 0040 01 01 00 01"));
        Assert.Equal(PayloadType.SA, e.Payload);
        Assert.Equal(32, e.Offset);
        Assert.Contains("proposal length 64 exceeds", e.Reason);
    }

    [Fact]
    public void Transform_count_differs_from_transforms_present()
    {
        var e = Error(Message("21", "00 00 0014  00 00 0010 01 01 00 02  00 00 0008 01 00 000c"));
        Assert.Contains("announces 2 transforms but holds 1", e.Reason);
    }

    [Fact]
    public void Proposal_marker_other_than_0_or_2()
        => Assert.Contains("Last Substruc is 1", Error(Message("21", "00 00 0014  01 00 0010 01 01 00 01  00 00 0008 01 00 000c")).Reason);

    [Fact]
    public void Nonce_shorter_than_16_octets()
    {
        var e = Error(Message("28", "00 00 000c 0001020304050607"));
        Assert.Equal(PayloadType.Nonce, e.Payload);
        Assert.Contains("outside 16..256", e.Reason);
    }

    [Fact]
    public void Transform_attribute_running_past_the_transform()
        => Assert.Contains("attribute value needs 16 octets", Error(Message("21", "00 00 0018  00 00 0014 01 01 00 01  00 00 000c 01 00 000c 000e0010")).Reason);

    [Fact]
    public void IPv4_identity_of_the_wrong_size()
        => Assert.Contains("ID_IPV4_ADDR carries 3 octets", Error(Message("23", "00 00 000b 01 000000 c00002")).Reason);

    [Fact]
    public void Traffic_selector_count_mismatch()
        => Assert.Contains("Number of TSs is 2 but 1", Error(Message("2c", "00 00 0018 02 000000 07 00 0010 0000 ffff 0a000000 0a0000ff")).Reason);

    [Fact]
    public void Delete_with_a_wrong_spi_size()
        => Assert.Contains("SPI Size 8 for protocol ESP", Error(Message("2a", "00 00 0010 03 08 0001 0102030405060708")).Reason);

    [Fact]
    public void Octets_after_the_SK_payload()
    {
        var e = Error(Message("2e", "23 00 0008 aabbccdd  2b 00 0004"));
        Assert.Contains("must be last", e.Reason);
    }

    [Fact]
    public void Trailing_octets_after_the_last_payload()
        => Assert.Contains("unexpected octets after the last payload", Error(Message("2b", "00 00 0008 aabbccdd ee")).Reason);

    [Fact]
    public void SKF_fragment_number_beyond_total()
        => Assert.Contains("fragment 3 of 2", Error(Message("35", "00 00 000c 0003 0002 aabbccdd")).Reason);

    [Fact]
    public void Unknown_critical_payload_is_reported_for_UNSUPPORTED_CRITICAL_PAYLOAD()
    {
        var bytes = Hex.Parse(Message("63", "2b 80 0008 01020304  00 00 0008 aabbccdd"));
        var message = IkeMessage.Decode(bytes);

        Assert.Equal([(PayloadType)0x63], message.UnsupportedCriticalPayloads.ToArray());
        var violation = MessageRules.Check(message with { Header = message.Header with { ExchangeType = ExchangeType.IKE_SA_INIT } });
        Assert.NotNull(violation);
        Assert.Equal(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, violation.Notify);
        Assert.Equal([0x63], violation.NotifyData.ToArray());
    }

    [Fact]
    public void Unknown_non_critical_payload_is_kept_and_skipped()
    {
        var message = IkeMessage.Decode(Hex.Parse(Message("63", "2b 00 0008 01020304  00 00 0008 aabbccdd")));

        Assert.Empty(message.UnsupportedCriticalPayloads);
        Assert.IsType<UnknownPayload>(message.Payloads[0]);
        Assert.IsType<VendorIdPayload>(message.Payloads[1]);
    }
}
