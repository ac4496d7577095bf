#include "core/kube/quantity.h"

#include <gtest/gtest.h>

namespace box::kube {
namespace {

TEST(KubeQuantity, ReadsSuffixesAsTheApiServerDoes) {
  EXPECT_EQ(parse_quantity("64Mi").value(), 64u << 20);
  EXPECT_EQ(parse_quantity("1G").value(), 1000000000u);
  EXPECT_EQ(parse_quantity("1.5Ki").value(), 1536u);
  EXPECT_EQ(parse_quantity("100").value(), 100u);
  EXPECT_EQ(parse_quantity("1e3").value(), 1000u);
  EXPECT_EQ(parse_quantity("0.5").value(), 1u);  // rounded up
  EXPECT_EQ(parse_quantity("+2k").value(), 2000u);
}

TEST(KubeQuantity, RefusesWhatIsNoQuantity) {
  EXPECT_EQ(parse_quantity("64MB").error().message(),
            "'64MB' is not a quantity: unknown suffix 'MB' (Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, "
            "P, E or m)");
  EXPECT_FALSE(parse_quantity(""));
  EXPECT_FALSE(parse_quantity("-1"));
  EXPECT_FALSE(parse_quantity("Mi"));
  EXPECT_FALSE(parse_quantity("99999999999999999999Ei"));
}

TEST(KubeQuantity, ReadsCpuInMillicores) {
  EXPECT_EQ(parse_millicores("500m").value(), 500u);
  EXPECT_EQ(parse_millicores("2").value(), 2000u);
  EXPECT_EQ(parse_millicores("0.25").value(), 250u);
}

TEST(KubeQuantity, WritesBytesWithTheLargestExactBinarySuffix) {
  EXPECT_EQ(format_bytes(64u << 20), "64Mi");
  EXPECT_EQ(format_bytes(1536), "1536");
  EXPECT_EQ(format_bytes(3u << 10), "3Ki");
  EXPECT_EQ(format_bytes(1000), "1000");
  EXPECT_EQ(format_millicores(2000), "2");
  EXPECT_EQ(format_millicores(250), "250m");
}

// The kubelet's request -> shares and runc's shares -> weight.
TEST(KubeQuantity, CpuRequestsAndWeightsAsTheKubeletSetsThem) {
  EXPECT_EQ(cpu_weight_of_millicores(1000), 39u);
  EXPECT_EQ(cpu_weight_of_millicores(1), 1u);
  EXPECT_EQ(cpu_weight_of_millicores(1'000'000), 10000u);
  for (std::uint32_t w : {1u, 2u, 39u, 100u, 500u, 9999u, 10000u})
    EXPECT_EQ(cpu_weight_of_millicores(millicores_of_cpu_weight(w)), w) << w;
  EXPECT_EQ(millicores_of_cpu_weight(39), 976u);
}

}  // namespace
}  // namespace box::kube
