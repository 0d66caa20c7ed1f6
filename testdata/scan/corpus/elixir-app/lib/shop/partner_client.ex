defmodule Shop.PartnerClient do
  @api_token "a8N3YskNQ5t1aAvdRjOkNC99vbat4PzX"
  @token_salt "partner auth"

  def headers, do: [{"authorization", "Bearer " <> @api_token}]
end
