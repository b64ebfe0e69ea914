// Tests of a Linux daemon.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
