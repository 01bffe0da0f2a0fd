/** The sockets domain's public API: other domains and the composition roots import only this. */
export { SocketsModule } from './sockets.module';
