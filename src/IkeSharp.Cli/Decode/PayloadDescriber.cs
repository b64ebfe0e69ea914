using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Protocol;

namespace IkeSharp.Cli.Decode;

/// <summary>Describes each payload's fields by IANA name, as an operator reading a capture needs them.</summary>
internal static class PayloadDescriber
{
    public static Group Describe(Payload payload)
    {
        var group = new Group().Add("type", payload.Type is PayloadType.NONE or > PayloadType.PS ? $"{(byte)payload.Type}" : payload.Type.ToString());
        if (payload.Critical)
        {
            group.Add("critical", true);
        }

        return payload switch
        {
            SecurityAssociationPayload sa => group.Add("proposals", new Items([.. sa.Proposals.Select(DescribeProposal)])),
            KeyExchangePayload ke => group.Add("group", ke.Method.ToString()).Add("length", ke.Data.Length),
            IdentificationPayload id => group.Add("idType", id.Identity.Type.ToString()).Add("id", id.Identity.ToString()),
            CertificatePayload cert => DescribeCertificate(group, cert),
            CertificateRequestPayload req => group.Add("encoding", req.Encoding.ToString())
                .Add("authorities", new Items([.. req.AuthorityKeyHashes().Select(h => new Scalar(HexString(h.Span)))])),
            AuthenticationPayload auth => group.Add("method", auth.Method.ToString()).Add("length", auth.Data.Length),
            NoncePayload nonce => group.Add("length", nonce.Data.Length).Add("data", HexString(nonce.Data.Span)),
            NotifyPayload n => DescribeNotify(group, n),
            DeletePayload d => group.Add("protocol", d.Protocol.ToString())
                .Add("spis", new Items([.. d.Spis.Select(s => new Scalar($"{s:x8}"))])),
            VendorIdPayload v => group.Add("data", HexString(v.VendorId.Span)),
            TrafficSelectorPayload ts => group.Add("selectors", new Items([.. ts.Selectors.Select(DescribeSelector)])),
            EncryptedPayload sk => group.Add("firstInnerPayload", sk.FirstInnerPayload.ToString()).Add("encryptedLength", sk.Body.Length),
            EncryptedFragmentPayload f => group.Add("fragment", f.FragmentNumber).Add("totalFragments", f.TotalFragments)
                .Add("firstInnerPayload", f.FirstInnerPayload.ToString()).Add("encryptedLength", f.Body.Length),
            ConfigurationPayload cp => group.Add("cfgType", cp.ConfigurationType.ToString())
                .Add("attributes", new Items([.. cp.Attributes.Select(DescribeAttribute)])),
            EapPayload eap => DescribeEap(group, eap),
            UnknownPayload u => group.Add("length", u.Body.Length),
            _ => group,
        };
    }

    private static Group DescribeProposal(Proposal proposal) => new Group()
        .Add("number", (int)proposal.Number)
        .Add("protocol", proposal.Protocol.ToString())
        .Add("spi", proposal.Spi.IsEmpty ? null : HexString(proposal.Spi.Span))
        .Add("transforms", new Items([.. proposal.Transforms.Select(DescribeTransform)]));

    private static Group DescribeTransform(Transform transform) => new Group()
        .Add("type", transform.Type.ToString())
        .Add("id", transform.IdName)
        .Add("keyLength", transform.KeyLength is { } bits ? (int)bits : null)
        .Add("otherAttributes", transform.HasOtherAttributes ? HexString(transform.OtherAttributes.Span) : null);

    private static Group DescribeSelector(TrafficSelector selector) => new Group()
        .Add("selector", selector.ToString())
        .Add("tsType", selector.Type.ToString())
        .Add("ipProtocol", (int)selector.IpProtocol)
        .Add("ports", $"{selector.StartPort}-{selector.EndPort}");

    private static Group DescribeNotify(Group group, NotifyPayload notify)
    {
        group.Add("notify", notify.NotifyType.ToString()).Add("code", (int)notify.NotifyType).Add("error", notify.NotifyType.IsError() ? true : null);
        if (notify.Protocol != ProtocolId.NONE)
        {
            group.Add("protocol", notify.Protocol.ToString());
        }

        if (!notify.Spi.IsEmpty)
        {
            group.Add("spi", HexString(notify.Spi.Span));
        }

        return notify.NotifyType switch
        {
            NotifyType.INVALID_KE_PAYLOAD when notify.RequestedKeyExchange is { } wanted => group.Add("requestedGroup", wanted.ToString()),
            NotifyType.SIGNATURE_HASH_ALGORITHMS => group.Add("hashAlgorithms", new Items([.. notify.HashAlgorithms().Select(h => new Scalar(h.ToString()))])),
            NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD when notify.Data.Length == 1 => group.Add("payloadType", (int)notify.Data.Span[0]),
            _ when notify.Data.IsEmpty => group,
            _ => group.Add("data", HexString(notify.Data.Span)),
        };
    }

    private static Group DescribeAttribute(ConfigurationAttribute attribute)
    {
        var group = new Group().Add("attribute", attribute.Type.ToString());
        var value = attribute.Value.Span;
        return value.Length switch
        {
            0 => group,
            4 or 16 => group.Add("value", new IPAddress(value).ToString()),
            17 => group.Add("value", $"{new IPAddress(value[..16])}/{value[16]}"),
            _ => group.Add("value", HexString(value)),
        };
    }

    private static Group DescribeCertificate(Group group, CertificatePayload cert)
    {
        group.Add("encoding", cert.Encoding.ToString()).Add("length", cert.Data.Length);
        if (cert.Encoding != CertificateEncoding.X509_CERTIFICATE_SIGNATURE)
        {
            return group;
        }

        try
        {
            using var x509 = X509CertificateLoader.LoadCertificate(cert.Data.Span);
            return group.Add("subject", x509.Subject).Add("issuer", x509.Issuer)
                .Add("notAfter", x509.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        }
        catch (CryptographicException e)
        {
            return group.Add("certificateError", e.Message);
        }
    }

    /// <summary>RFC 3748 §4: Code, Identifier, Length, and for requests/responses the Type.</summary>
    private static Group DescribeEap(Group group, EapPayload eap)
    {
        var m = eap.Message.Span;
        if (m.Length < 4)
        {
            return group.Add("length", m.Length);
        }

        group.Add("code", m[0] switch { 1 => "Request", 2 => "Response", 3 => "Success", 4 => "Failure", _ => m[0].ToString() })
            .Add("identifier", (int)m[1]).Add("length", (int)BinaryPrimitives.ReadUInt16BigEndian(m[2..]));
        return m.Length > 4 && m[0] is 1 or 2 ? group.Add("eapType", (int)m[4]) : group;
    }

    internal static string HexString(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
