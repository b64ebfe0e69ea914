using IkeSharp.Protocol;

namespace IkeSharp.Cli.Tests.Golden;

/// <summary>Real strongSwan 5.9.8 messages decode, obey the message rules and re-encode byte-exactly.</summary>
public class CaptureDecodingTests
{
    public static TheoryData<string> Cases() => [.. StrongSwanCaptures.Cases];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_message_re_encodes_to_the_captured_octets(string @case)
    {
        var messages = StrongSwanCaptures.Messages(@case);

        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(Convert.ToHexString(m.Octets), Convert.ToHexString(m.Message.Encode())));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_message_obeys_the_message_rules(string @case)
    {
        foreach (var m in StrongSwanCaptures.Messages(@case))
        {
            var violation = m.Message.Exchange == ExchangeType.IKE_SA_INIT ? MessageRules.Check(m.Message) : MessageRules.CheckOuter(m.Message);
            Assert.True(violation is null, $"frame {m.Frame} {m.Message}: {violation?.Reason}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unencrypted_message_summaries_match_strongSwans_log_lines(string @case)
    {
        var logged = StrongSwanCaptures.LoggedSummaries(@case);
        foreach (var m in StrongSwanCaptures.Messages(@case).Where(m => m.Message.Exchange == ExchangeType.IKE_SA_INIT || m.Message.EncryptedFragment is not null))
        {
            Assert.Contains(m.Message.ToString(), logged);
        }
    }

    [Fact]
    public void Cookie_exchange_echoes_the_responders_cookie_first()
    {
        // HDR(A,0), SAi1, KEi, Ni  -->
        //                          <--  HDR(A,0), N(COOKIE)
        // HDR(A,0), N(COOKIE), SAi1, KEi, Ni  -->
        var messages = StrongSwanCaptures.Messages("cookie");
        var cookie = messages[1].Message.FindNotify(NotifyType.COOKIE)!;
        var retry = messages[2].Message;

        Assert.True(messages[1].Message.IsResponse);
        Assert.InRange(cookie.Data.Length, 1, 64);
        var first = Assert.IsType<NotifyPayload>(retry.Payloads[0]);
        Assert.Equal(NotifyType.COOKIE, first.NotifyType);
        Assert.Equal(cookie.Data.ToArray(), first.Data.ToArray());
    }

    [Fact]
    public void INVALID_KE_PAYLOAD_names_the_group_the_responder_wants()
    {
        var messages = StrongSwanCaptures.Messages("invalid-ke");
        var invalidKe = messages[1].Message.FindNotify(NotifyType.INVALID_KE_PAYLOAD)!;

        Assert.Equal(KeyExchangeMethod.ECP_256, messages[0].Message.Find<KeyExchangePayload>()!.Method);
        Assert.Equal(KeyExchangeMethod.MODP_2048, invalidKe.RequestedKeyExchange);
        Assert.Equal(KeyExchangeMethod.MODP_2048, messages[2].Message.Find<KeyExchangePayload>()!.Method);
    }

    [Fact]
    public void Fragmented_IKE_AUTH_arrives_as_numbered_SKF_payloads()
    {
        var fragments = StrongSwanCaptures.Messages("x509-rsa-fragmented")
            .Select(m => m.Message.EncryptedFragment).OfType<EncryptedFragmentPayload>().ToList();

        Assert.Equal(10, fragments.Count);
        Assert.Equal([1, 2, 3, 4, 5, 1, 2, 3, 4, 5], fragments.Select(f => (int)f.FragmentNumber));
        Assert.All(fragments, f => Assert.Equal(5, f.TotalFragments));
        // RFC 7383 §2.5: only the first fragment names the first inner payload.
        Assert.All(fragments, f => Assert.Equal(f.FragmentNumber == 1, f.FirstInnerPayload != PayloadType.NONE));
    }

    [Fact]
    public void IPv6_capture_floats_to_4500_with_the_non_ESP_marker()
    {
        var messages = StrongSwanCaptures.Messages("ipv6");

        Assert.Equal(500, messages[0].SourcePort);
        Assert.Contains(messages, m => m.SourcePort == 4500 && m.Message.Exchange == ExchangeType.IKE_AUTH);
    }
}
