// The GraphQL console: GraphiQL from the project's own bundle (no CDN), queries over HTTP and
// subscriptions over graphql-ws on the same /graphql endpoint.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { examples } from './examples.js';

const endpoint = new URL('/graphql', window.location.href);
const wsEndpoint = new URL(endpoint);
wsEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

const fetcher = createGraphiQLFetcher({
  url: endpoint.href,
  wsClient: createClient({ url: wsEndpoint.href, lazy: true, retryAttempts: 5 }),
});

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    defaultTabs: examples,
    defaultEditorToolsVisibility: false,
    isHeadersEditorEnabled: true,
  }),
);
